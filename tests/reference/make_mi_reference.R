#!/usr/bin/env Rscript
# Reference values for the multiple-imputation model, from R's jomo (Quartagno & Carpenter).
#
# For every folder tests/fixtures/reference/<case>/ holding mi_design.csv (written by
# `python tests/reference/make_fixtures.py --mi`: the WHO-5 scores y_m<visit> per citizen, the imputation
# covariates x_* in fittrial's coding and the caseworker), writes in the same folder:
#   r_jomo_chain.csv  posterior mean and batch-means Monte Carlo SE (50 batches) of every parameter of the
#                     two-level joint model, from jomo::jomo1rancon.MCMCchain (flat prior on beta; inverse
#                     Wishart priors with identity scale, jomo's defaults): beta (covariate x visit), the
#                     citizen-level covariance omega_e and the caseworker-level covariance omega_u over visits;
#                     burn-in BURN iterations, then KEEP iterations summarised
#   r_jomo_mi.csv     jomo1rancon (nburn 1000, nbetween 100, M imputations), then on each completed data set
#                     lme4::lmer(who5 ~ fit * visit + stratum + baseline + (1 | cw) + (1 | cw:visit) +
#                     (1 | citizen)) and the FIT - control contrast at each follow-up visit; pooled by Rubin's
#                     rules: estimate, total variance, within and between variance, M
# Usage (from the repository root): Rscript tests/reference/make_mi_reference.R
suppressPackageStartupMessages({library(jomo); library(lme4)})
set.seed(20261123)
BURN <- 2000
KEEP <- 40000
M <- 100
cases <- list.dirs("tests/fixtures/reference", recursive = FALSE)
for (case in cases) {
  f <- file.path(case, "mi_design.csv")
  if (!file.exists(f)) next
  d <- read.csv(f, check.names = FALSE)
  ycols <- grep("^y_", names(d), value = TRUE)
  xcols <- grep("^x_", names(d), value = TRUE)
  Y <- d[, ycols, drop = FALSE]
  X <- as.matrix(d[, xcols])
  clus <- data.frame(clus = factor(d$caseworker_id))
  warm <- jomo1rancon.MCMCchain(Y, X = X, clus = clus, nburn = BURN, output = 0)
  chain <- jomo1rancon.MCMCchain(Y, X = X, clus = clus, nburn = KEEP, output = 0,
                                 beta.start = warm$collectbeta[, , BURN],
                                 l1cov.start = warm$collectomega[, , BURN],
                                 l2cov.start = warm$collectcovu[, , BURN],
                                 u.start = warm$collectu[, , BURN],
                                 start.imp = as.matrix(warm$finimp[, ycols]))
  batch <- function(x) {
    b <- colMeans(matrix(x, ncol = 50))
    c(mean(x), sd(b) / sqrt(50))
  }
  rows <- list()
  for (i in seq_along(xcols)) for (t in seq_along(ycols)) {
    s <- batch(chain$collectbeta[i, t, ])
    rows[[length(rows) + 1]] <- data.frame(parameter = "beta", row = sub("^x_", "", xcols[i]),
                                           col = sub("^y_", "", ycols[t]), mean = s[1], mcse = s[2])
  }
  for (nm in c("omega_e", "omega_u")) {
    arr <- if (nm == "omega_e") chain$collectomega else chain$collectcovu
    for (a in seq_along(ycols)) for (b in seq_along(ycols)) if (a <= b) {
      s <- batch(arr[a, b, ])
      rows[[length(rows) + 1]] <- data.frame(parameter = nm, row = sub("^y_", "", ycols[a]),
                                             col = sub("^y_", "", ycols[b]), mean = s[1], mcse = s[2])
    }
  }
  write.csv(do.call(rbind, rows), file.path(case, "r_jomo_chain.csv"), row.names = FALSE)

  imp <- jomo1rancon(Y, X = X, clus = clus, nburn = 1000, nbetween = 100, nimp = M, output = 0)
  follow <- setdiff(ycols, "y_m0")
  strata <- grep("^x_stratum", xcols, value = TRUE)
  res <- list()
  for (k in 1:M) {
    dk <- imp[imp$Imputation == k, ]
    dk <- dk[order(dk$id), ]
    long <- do.call(rbind, lapply(follow, function(v) {
      out <- data.frame(who5 = dk[[v]], visit = sub("^y_m", "", v), fit = d$x_fit, cw = d$caseworker_id,
                        citizen = d$citizen_id, baseline = dk$y_m0)
      for (s in strata) out[[s]] <- d[[s]]
      out
    }))
    long$visit <- factor(long$visit, levels = sub("^y_m", "", follow))
    fml <- paste("who5 ~ fit * visit + baseline", if (length(strata)) paste("+", paste0("`", strata, "`",
                                                                                     collapse = " + ")) else "",
                 "+ (1 | cw) + (1 | cw:visit) + (1 | citizen)")
    fit <- lmer(as.formula(fml), data = long, REML = TRUE)
    b <- fixef(fit)
    V <- as.matrix(vcov(fit))
    for (v in levels(long$visit)) {
      L <- setNames(rep(0, length(b)), names(b))
      L["fit"] <- 1
      if (v != levels(long$visit)[1]) L[paste0("fit:visit", v)] <- 1
      res[[length(res) + 1]] <- data.frame(visit = as.integer(v), k = k, est = sum(L * b),
                                           var = as.numeric(t(L) %*% V %*% L))
    }
  }
  res <- do.call(rbind, res)
  pooled <- do.call(rbind, lapply(split(res, res$visit), function(r) {
    qbar <- mean(r$est); ubar <- mean(r$var); bvar <- var(r$est)
    data.frame(visit = r$visit[1], estimate = qbar, total_variance = ubar + (1 + 1 / M) * bvar,
               within = ubar, between = bvar, m = M)
  }))
  write.csv(pooled, file.path(case, "r_jomo_mi.csv"), row.names = FALSE)
  cat(case, "done\n")
}
writeLines(c(paste("R", getRversion()), paste("jomo", packageVersion("jomo")),
             paste("lme4", packageVersion("lme4"))), "tests/fixtures/r_jomo_versions.txt")
