#!/usr/bin/env Rscript
# Reference values for the statistical models, from R.
#
# For every folder tests/fixtures/reference/<case>/ holding long.csv (the WHO-5
# analysis data set, one row per citizen and follow-up visit; the primary model has random intercepts for
# caseworker, caseworker x visit and citizen) and citizens.csv
# (one row per citizen), writes in the same folder:
#   r_lmm_fixef.csv  lme4 REML fixed effects with lme4's (conditional) SEs
#   r_lmm_vc.csv     variance components (caseworker, caseworker x visit, citizen, residual)
#   r_lmm_contrast.csv  FIT - control at each follow-up visit: estimate, SE (lme4), Satterthwaite df
#                    (lmerTest), Kenward-Roger SE and df (pbkrtest vcovAdj, Lb_ddf)
#   r_emmeans.csv    estimated marginal means by arm and visit (emmeans, Satterthwaite df)
#   r_gee.csv        geepack exchangeable logit GEE per binary outcome: log OR,
#                    sandwich SE (geepack san.se), Mancl-DeRouen and Kauermann-Carroll SEs computed here
#   r_design_<name>.csv  lmerTest fits of exported design matrices (CLDA, subgroup interaction):
#                    Satterthwaite estimate/SE/df per contrast, joint F-test (contestMD)
#   r_ancova_cr2.csv clubSandwich CR2 SE and Bell-McCaffrey df of the complete-case ANCOVA
#   r_glmer.csv      lme4::glmer (nAGQ = 25) random-intercept logistic SD and arm effect
#   r_cox.csv        survival::coxph log hazard ratio with cluster-robust SE
#   r_cif.csv        cumulative incidence of dropout by arm (Aalen-Johansen, survival::survfit with a multi-state
#                    factor status: 0 censored, 1 dropout, 2 other course end) at days 0, 90, 180, 270, 365:
#                    survfit's infinitesimal-jackknife SE and log CI (per citizen), and the same influence
#                    (survfit influence = TRUE) summed by caseworker: the caseworker-clustered SE and its log CI
#   r_finegray.csv   Fine-Gray subdistribution hazard ratio of dropout: survival::finegray + coxph(Surv(fgstart,
#                    fgstop, fgstatus) ~ fit + stratum, weights = fgwt, cluster = caseworker_id, ties = "breslow");
#                    and (cs_*) the cause-specific Cox model coxph(Surv(time_days, status_dropout == 1) ~ ...)
#   (r_cif.csv and r_finegray.csv also for tests/fixtures/competing_reference/<case>/: citizens.csv with only the
#   time-to-dropout columns, censored before the end of the window, with tied times; see make_fixtures.py)
#   r_versions.csv   R and package versions
# and tests/fixtures/r_pool_scalar.csv: mice::pool.scalar (Rubin's rules, Barnard-Rubin df) on fixed inputs.
#
# Identified random part (tests/fixtures/identified_reference/<case>/, see identified_reference() below):
# cases where the package leaves a random intercept out because the data cannot identify it (e.g. one
# follow-up per citizen: no citizen intercept; lme4 refuses (1 | citizen) when it has as many levels as
# observations). The primary model with only the identified intercepts, lmerTest Satterthwaite df:
#   r_lmm_fixef.csv, r_lmm_vc.csv, r_lmm_contrast.csv (estimate, SE, Satterthwaite df), r_lmm_model.csv
#   (formula, sizes), r_versions.csv
# Tests compare the Python results with these files (they never run R).
#
# Run: Rscript tests/reference/make_reference.R   (needs r-cran-lme4, r-cran-geepack)
#      Rscript tests/reference/make_reference.R --identified   (only the identified-random-part cases)
#      Rscript tests/reference/make_reference.R --compare DIR  (tools/compare_with_r.py: unseen trials)
#      Rscript tests/reference/make_reference.R --competing    (only r_cif.csv and r_finegray.csv)
suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(pbkrtest)
  library(geepack)
  library(clubSandwich)
  library(survival)
})

TIGHT <- lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5, rhoend = 1e-12))

fit_design <- function(case, name) {
  # lmer on a design matrix exported by make_fixtures.py (columns x_*), contrasts from L_<name>.csv:
  # Satterthwaite (lmerTest) estimate, SE, df per row; rows named joint:* tested jointly (contestMD)
  d <- read.csv(file.path(case, paste0("design_", name, ".csv")), check.names = FALSE)
  L <- read.csv(file.path(case, paste0("L_", name, ".csv")), check.names = FALSE)
  xs <- grep("^x_", names(d), value = TRUE)
  X <- as.matrix(d[, xs])
  dd <- data.frame(who5 = d$who5, cw = factor(d$caseworker_id), cit = factor(d$citizen_id), visit = factor(d$visit))
  dd$X <- X
  m <- lmerTest::lmer(who5 ~ 0 + X + (1 | cw) + (1 | cw:visit) + (1 | cw:cit), data = dd, REML = TRUE,
                      control = TIGHT)
  Lm <- as.matrix(L[, -1])
  out <- do.call(rbind, lapply(seq_len(nrow(Lm)), function(i) {
    ct <- lmerTest::contest(m, Lm[i, , drop = FALSE], ddf = "Satterthwaite", joint = FALSE)
    data.frame(contrast = L$contrast[i], estimate = ct$Estimate, se = ct[["Std. Error"]], df = ct$df,
               F = NA, ndf = NA, ddf = NA, p_joint = NA)
  }))
  joint <- grepl("^joint:", L$contrast)
  if (any(joint)) {
    ct <- lmerTest::contest(m, Lm[joint, , drop = FALSE], ddf = "Satterthwaite", joint = TRUE)
    out <- rbind(out, data.frame(contrast = "joint", estimate = NA, se = NA, df = NA, F = ct[["F value"]],
                                 ndf = ct$NumDF, ddf = ct$DenDF, p_joint = ct[["Pr(>F)"]]))
  }
  write.csv(out, file.path(case, paste0("r_design_", name, ".csv")), row.names = FALSE)
}

mat_power <- function(A, power) {
  # principal power of a matrix with real positive eigenvalues (I - H is similar to a symmetric one)
  e <- eigen(A)
  Re(e$vectors %*% diag(e$values^power, nrow(A)) %*% solve(e$vectors))
}

md_covariance <- function(fit, X, y, id, power = -1) {
  # Bias-corrected sandwich for a geeglm fit with exchangeable working correlation and
  # binomial variance: residuals scaled by (I - H_i)^power; power -1: Mancl & DeRouen (2001),
  # power -1/2: Kauermann & Carroll (2001).
  beta <- coef(fit)
  mu <- as.vector(plogis(X %*% beta))
  phi <- as.numeric(summary(fit)$dispersion$Estimate)
  corr <- summary(fit)$corr
  alpha <- if (NROW(corr)) as.numeric(corr$Estimate) else 0  # independence: no correlation parameter
  p <- ncol(X)
  pieces <- lapply(split(seq_along(y), id), function(ix) {
    n <- length(ix)
    a <- mu[ix] * (1 - mu[ix])
    D <- X[ix, , drop = FALSE] * a
    R <- matrix(alpha, n, n); diag(R) <- 1
    V <- phi * diag(sqrt(a), n) %*% R %*% diag(sqrt(a), n)
    Vi <- solve(V)
    list(D = D, Vi = Vi, r = y[ix] - mu[ix])
  })
  bread <- solve(Reduce(`+`, lapply(pieces, function(q) t(q$D) %*% q$Vi %*% q$D)))
  meat <- matrix(0, p, p)
  for (q in pieces) {
    H <- q$D %*% bread %*% t(q$D) %*% q$Vi
    IH <- mat_power(diag(nrow(H)) - H, power)
    u <- t(q$D) %*% q$Vi %*% IH %*% q$r
    meat <- meat + u %*% t(u)
  }
  bread %*% meat %*% bread
}

# ---- the primary model as fittrial.models.effects._design builds it, with the identified random part ----

read_long <- function(path) {
  long <- read.csv(path, stringsAsFactors = FALSE,
                   colClasses = c(citizen_id = "character", caseworker_id = "character", stratum = "character"))
  long$visit <- factor(long$visit)  # integer visits: levels in numeric order, the first is the reference
  long$stratum <- factor(long$stratum, levels = sort(unique(long$stratum)))
  long
}

identified_terms <- function(long) {
  # the random intercepts the data identify (the package's rule, fittrial.models.lmm.NestedREML): caseworker unless
  # every caseworker has one observation; citizen unless every citizen has one observation or every
  # caseworker has one citizen; caseworker x visit unless there is one visit, every caseworker has data at
  # one visit only, or every caseworker x visit cell has one observation
  n <- nrow(long)
  n_cw <- length(unique(long$caseworker_id))
  n_cit <- length(unique(paste(long$caseworker_id, long$citizen_id)))
  cells <- unique(paste(long$caseworker_id, long$visit))
  visits_per_cw <- tapply(long$visit, long$caseworker_id, function(v) length(unique(v)))
  c(caseworker = n_cw < n, citizen = n_cit < n && n_cit > n_cw,
    cw_visit = length(unique(long$visit)) > 1 && length(cells) < n && any(visits_per_cw > 1))
}

primary_formula <- function(long, caseworker = TRUE, citizen = TRUE, cw_visit = TRUE) {
  # intercept, fit, stratum dummies (more than one stratum), visit dummies and fit:visit (more than one
  # follow-up visit), baseline_who5 and baseline_missing only when they vary; the given random intercepts
  fixed <- if (nlevels(long$visit) > 1) "fit * visit" else "fit"
  if (nlevels(long$stratum) > 1) fixed <- c(fixed, "stratum")
  if (length(unique(long$baseline_who5)) > 1) fixed <- c(fixed, "baseline_who5")
  if (length(unique(long$baseline_missing)) > 1) fixed <- c(fixed, "baseline_missing")
  random <- c(if (caseworker) "(1 | caseworker_id)", if (cw_visit) "(1 | caseworker_id:visit)",
              if (citizen) "(1 | caseworker_id:citizen_id)")
  as.formula(paste("who5 ~", paste(c(fixed, random), collapse = " + ")))
}

arm_contrast <- function(m, v) {
  # L for FIT - control at follow-up visit v
  fe <- fixef(m)
  L <- setNames(rep(0, length(fe)), names(fe))
  L["fit"] <- 1
  inter <- paste0("fit:visit", v)
  if (inter %in% names(L)) L[inter] <- 1
  L
}

variances <- function(m) {
  vc <- as.data.frame(VarCorr(m))
  get <- function(g) if (g %in% vc$grp) vc$vcov[vc$grp == g] else 0
  c(caseworker = get("caseworker_id"), citizen = get("caseworker_id:citizen_id"),
    cw_visit = get("caseworker_id:visit"), residual = get("Residual"))
}

identified_reference <- function(case) {
  # reference values of the primary model fitted with only the identified random intercepts
  long <- read_long(file.path(case, "long.csv"))
  terms <- identified_terms(long)
  form <- primary_formula(long, terms[["caseworker"]], terms[["citizen"]], terms[["cw_visit"]])
  m <- lmerTest::lmer(form, data = long, REML = TRUE, control = TIGHT)
  V <- as.matrix(vcov(m))
  fe <- fixef(m)
  write.csv(data.frame(term = names(fe), estimate = unname(fe), se = sqrt(diag(V))),
            file.path(case, "r_lmm_fixef.csv"), row.names = FALSE)
  vs <- variances(m)
  write.csv(data.frame(component = c("caseworker_id", "caseworker_id:citizen_id", "caseworker_id:visit", "Residual"),
                       variance = unname(vs),
                       in_model = c(terms[["caseworker"]], terms[["citizen"]], terms[["cw_visit"]], TRUE),
                       reml_criterion = REMLcrit(m)),
            file.path(case, "r_lmm_vc.csv"), row.names = FALSE)
  rows <- lapply(levels(long$visit), function(v) {
    L <- arm_contrast(m, v)
    sat <- lmerTest::contest(m, matrix(L, nrow = 1), ddf = "Satterthwaite", joint = FALSE)
    data.frame(timepoint_months = as.integer(v), estimate = sum(L * fe),
               se = sqrt(as.numeric(t(L) %*% V %*% L)), df_satterthwaite = sat$df)
  })
  write.csv(do.call(rbind, rows), file.path(case, "r_lmm_contrast.csv"), row.names = FALSE)
  write.csv(data.frame(formula = paste(deparse(form, width.cutoff = 500L), collapse = " "), n_obs = nrow(long),
                       n_caseworkers = length(unique(long$caseworker_id)),
                       n_citizens = length(unique(long$citizen_id)), singular = isSingular(m)),
            file.path(case, "r_lmm_model.csv"), row.names = FALSE)
  write.csv(data.frame(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                       lmerTest = as.character(packageVersion("lmerTest"))),
            file.path(case, "r_versions.csv"), row.names = FALSE)
  cat("identified-model reference values written for", case, "\n")
}

compare_case <- function(case) {
  # tools/compare_with_r.py: the models of one unseen trial as the package fitted them (spec.csv says which
  # random intercepts the Python fit kept, whether its primary contrast was estimated, which checks to run;
  # gee_spec.csv the estimated binary outcomes and their working correlation). Writes r_cmp_*.csv; the GEE
  # both with geepack's default convergence tolerance and converged (epsilon 1e-10; Mancl-DeRouen SE on that one).
  spec <- read.csv(file.path(case, "spec.csv"))
  if (spec$lmm == 1) {
    res <- tryCatch({
      long <- read_long(file.path(case, "long.csv"))
      form <- primary_formula(long, spec$caseworker_free == 1, spec$citizen_free == 1, spec$cw_visit_free == 1)
      m <- lmerTest::lmer(form, data = long, REML = TRUE,
                          control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
      L <- arm_contrast(m, spec$primary_visit)
      V <- as.matrix(vcov(m))
      sat <- lmerTest::contest(m, matrix(L, nrow = 1), ddf = "Satterthwaite", joint = FALSE)
      kr <- c(NA, NA)
      if (spec$kr == 1) {
        adj <- pbkrtest::vcovAdj(m)  # Lb_ddf needs its attributes
        Vkr <- as.matrix(adj)
        kr <- c(sqrt(as.numeric(t(L) %*% Vkr %*% L)), pbkrtest::Lb_ddf(matrix(L, nrow = 1), V, adj))
      }
      vs <- variances(m)
      terms <- identified_terms(long)
      data.frame(estimate = sum(L * fixef(m)), se = sqrt(as.numeric(t(L) %*% V %*% L)), df_satterthwaite = sat$df,
                 se_kr = kr[1], df_kr = kr[2], var_caseworker = vs[["caseworker"]], var_citizen = vs[["citizen"]],
                 var_residual = vs[["residual"]], reml_criterion = REMLcrit(m), n_fixef = length(fixef(m)),
                 n_obs = nrow(long), r_caseworker_identified = terms[["caseworker"]],
                 r_citizen_identified = terms[["citizen"]],
                 r_cw_visit_identified = terms[["cw_visit"]], singular = isSingular(m),
                 formula = paste(deparse(form, width.cutoff = 500L), collapse = " "), error = "")
    }, error = function(e) data.frame(estimate = NA, error = conditionMessage(e)))
    write.csv(res, file.path(case, "r_cmp_lmm.csv"), row.names = FALSE)
  }
  cit <- read.csv(file.path(case, "citizens.csv"), stringsAsFactors = FALSE,
                  colClasses = c(citizen_id = "character", caseworker_id = "character", stratum = "character"))
  cit$stratum <- factor(cit$stratum, levels = sort(unique(cit$stratum)))
  gspec <- read.csv(file.path(case, "gee_spec.csv"), stringsAsFactors = FALSE)
  out <- lapply(seq_len(nrow(gspec)), function(i) {
    o <- gspec$outcome[i]
    corstr <- gspec$corstr[i]
    tryCatch({
      d <- cit[!is.na(cit[[o]]), ]
      d <- d[order(d$caseworker_id, d$citizen_id), ]
      d$cl <- as.integer(factor(d$caseworker_id))
      d$y <- d[[o]]
      rhs <- if (nlevels(droplevels(d$stratum)) > 1) "fit + stratum" else "fit"
      g <- geeglm(as.formula(paste("y ~", rhs)), id = cl, data = d, family = binomial, corstr = corstr)
      # geepack stops when the largest change is below epsilon = 1e-4 (its default); converged to 1e-10:
      tight <- geeglm(as.formula(paste("y ~", rhs)), id = cl, data = d, family = binomial, corstr = corstr,
                      control = geese.control(epsilon = 1e-10, maxit = 200))
      X <- model.matrix(as.formula(paste("~", rhs)), data = d)
      Vmd <- tryCatch(md_covariance(tight, X, d$y, d$cl), error = function(e) matrix(NA, ncol(X), ncol(X)))
      # the exchangeable fit's correlation, to show why the package fell back to independence
      ex <- if (corstr == "exchangeable") g else
        tryCatch(geeglm(as.formula(paste("y ~", rhs)), id = cl, data = d, family = binomial,
                        corstr = "exchangeable"), error = function(e) NULL)
      data.frame(outcome = o, corstr = corstr, log_or = unname(coef(g)["fit"]),
                 log_or_converged = unname(coef(tight)["fit"]), se_mancl_derouen = sqrt(Vmd[2, 2]),
                 alpha_exchangeable = if (is.null(ex)) NA else as.numeric(summary(ex)$corr$Estimate),
                 log_or_exchangeable = if (is.null(ex)) NA else unname(coef(ex)["fit"]),
                 max_cluster = max(table(d$cl)), n = nrow(d), clusters = length(unique(d$cl)), error = "")
    }, error = function(e) data.frame(outcome = o, corstr = corstr, log_or = NA, log_or_converged = NA,
                                      se_mancl_derouen = NA,
                                      alpha_exchangeable = NA, log_or_exchangeable = NA, max_cluster = NA, n = NA,
                                      clusters = NA, error = conditionMessage(e)))
  })
  if (length(out)) write.csv(do.call(rbind, out), file.path(case, "r_cmp_gee.csv"), row.names = FALSE)
  if (spec$cr2 == 1) {
    col <- paste0("who5_m", spec$primary_visit)
    cc <- cit[!is.na(cit[[col]]), ]
    rhs <- "fit"
    if (length(unique(cc$baseline_who5)) > 1) rhs <- paste(rhs, "+ baseline_who5")
    if (length(unique(cc$baseline_missing)) > 1) rhs <- paste(rhs, "+ baseline_missing")
    if (nlevels(droplevels(cc$stratum)) > 1) rhs <- paste(rhs, "+ stratum")
    res <- tryCatch({
      ols <- lm(as.formula(paste(col, "~", rhs)), data = cc)
      ct <- clubSandwich::coef_test(ols, vcov = "CR2", cluster = cc$caseworker_id, test = "Satterthwaite")
      k <- which(ct$Coef == "fit")
      data.frame(estimate = ct$beta[k], se_cr2 = ct$SE[k], df_bm = ct$df_Satt[k])
    }, error = function(e) data.frame(estimate = NA, se_cr2 = NA, df_bm = NA))
    write.csv(res, file.path(case, "r_cmp_cr2.csv"), row.names = FALSE)
  }
  if (spec$cox == 1) {
    sv <- cit[!is.na(cit$time_days), ]
    rhs <- if (nlevels(droplevels(sv$stratum)) > 1) "fit + stratum" else "fit"
    res <- tryCatch({
      cx <- coxph(as.formula(paste("Surv(time_days, event_dropout) ~", rhs)), data = sv, ties = "breslow",
                  cluster = caseworker_id)
      data.frame(log_hr = unname(coef(cx)["fit"]), robust_se = sqrt(vcov(cx)["fit", "fit"]))
    }, error = function(e) data.frame(log_hr = NA, robust_se = NA))
    write.csv(res, file.path(case, "r_cmp_cox.csv"), row.names = FALSE)
  }
}

competing_reference <- function(case) {
  # time to dropout with the other course ends as competing events (status_dropout: 0 censored, 1 dropout, 2 other)
  cit <- read.csv(file.path(case, "citizens.csv"), stringsAsFactors = FALSE)
  sv <- cit[!is.na(cit$time_days), ]
  sv$state <- factor(sv$status_dropout, 0:2, labels = c("censor", "dropout", "other"))
  sv$stratum <- factor(sv$stratum, levels = sort(unique(sv$stratum)))
  days <- c(0, 90, 180, 270, 365)
  rows <- lapply(c(1, 0), function(arm) {
    d <- sv[sv$fit == arm, ]
    sf <- survfit(Surv(time_days, state) ~ 1, data = d, id = citizen_id, influence = TRUE)
    s <- summary(sf, times = days, extend = TRUE)
    k <- match("dropout", sf$states)
    # influence.pstate: citizens x (start, times) x states; at the last time <= day (column 1: the start)
    idx <- findInterval(days, sf$time)
    infl <- sapply(seq_along(days), function(j) sf$influence.pstate[, idx[j] + 1, k])
    by_cw <- rowsum(infl, d$caseworker_id)
    se_cw <- sqrt(colSums(by_cw^2))
    ci <- survival:::survfit_confint(s$pstate[, k], se_cw, logse = FALSE, conf.type = "log", conf.int = 0.95)
    data.frame(fit = arm, day = days, cif = s$pstate[, k], se_iid = s$std.err[, k], ci_low_iid = s$lower[, k],
               ci_high_iid = s$upper[, k], se_caseworker = se_cw, ci_low = ci$lower, ci_high = ci$upper,
               n_risk = s$n.risk[, 1])
  })
  write.csv(do.call(rbind, rows), file.path(case, "r_cif.csv"), row.names = FALSE)
  fg <- finegray(Surv(time_days, state) ~ ., data = sv[, c("time_days", "state", "fit", "stratum", "caseworker_id")],
                 etype = "dropout")
  rhs <- if (nlevels(droplevels(sv$stratum)) > 1) "fit + stratum" else "fit"
  fm <- coxph(as.formula(paste("Surv(fgstart, fgstop, fgstatus) ~", rhs)), data = fg, weights = fgwt,
              cluster = caseworker_id, ties = "breslow")
  # the cause-specific Cox model on the same rows (other course ends censored), as r_cox.csv
  cx <- coxph(as.formula(paste("Surv(time_days, status_dropout == 1) ~", rhs)), data = sv, ties = "breslow",
              cluster = caseworker_id)
  write.csv(data.frame(log_shr = unname(coef(fm)["fit"]), robust_se = sqrt(vcov(fm)["fit", "fit"]),
                       naive_se = sqrt(fm$naive.var[1, 1]), rows = nrow(fg), events = fm$nevent,
                       cs_log_hr = unname(coef(cx)["fit"]), cs_robust_se = sqrt(vcov(cx)["fit", "fit"])),
            file.path(case, "r_finegray.csv"), row.names = FALSE)
  cat("competing-risk reference values written for", case, "\n")
}

IDENTIFIED_ROOT <- "tests/fixtures/identified_reference"
args <- commandArgs(trailingOnly = TRUE)
if (length(args) >= 1 && args[1] == "--compare") {
  cases <- list.dirs(args[2], recursive = FALSE)
  for (case in cases) compare_case(case)
  cat("compared", length(cases), "cases\n")
  quit(save = "no")
}
COMPETING_ROOTS <- c("tests/fixtures/reference", "tests/fixtures/competing_reference")
if (length(args) >= 1 && args[1] == "--competing") {
  for (case in list.dirs(COMPETING_ROOTS, recursive = FALSE)) competing_reference(case)
  quit(save = "no")
}
if (length(args) >= 1 && args[1] == "--identified") {
  for (case in list.dirs(IDENTIFIED_ROOT, recursive = FALSE)) identified_reference(case)
  quit(save = "no")
}

# ---- recruitment after randomisation (fittrial.analyses.recruitment; tests/test_recruitment.py) ----
# r_recruitment.csv per reference case: lme4 REML fit of who5_m0 ~ fit + stratum + (1 | caseworker_id) on the
# citizens with a baseline WHO-5; the FIT - control difference with lme4's SE, pbkrtest's Kenward-Roger SE
# (vcovAdj) and df (Lb_ddf), the between-within df (caseworkers - fixed effects, all caseworker-level here) and
# the df used (the smaller); the 95% CI from t(df) with the KR SE and its p-value; the pooled SD
# sqrt((var_FIT + var_control) / 2) and the standardised difference with its CI (the CI divided by the pooled SD);
# the variance components; and the stratum-adjusted difference in mean citizens per caseworker (lm of the
# caseworker's number of citizens on fit + stratum; the statistic of the recruitment-size randomisation test).
# Only this block: Rscript tests/reference/make_reference.R --recruitment
recruitment_reference <- function(case) {
  cit <- read.csv(file.path(case, "citizens.csv"), stringsAsFactors = FALSE,
                  colClasses = c(citizen_id = "character", caseworker_id = "character", stratum = "character"))
  d <- cit[!is.na(cit$who5_m0), ]
  d$stratum <- factor(d$stratum, levels = sort(unique(d$stratum)))
  rhs <- if (nlevels(d$stratum) > 1) "fit + stratum" else "fit"
  m <- lme4::lmer(as.formula(paste("who5_m0 ~", rhs, "+ (1 | caseworker_id)")), data = d, REML = TRUE,
                  control = TIGHT)
  fe <- fixef(m)
  V <- as.matrix(vcov(m))
  L <- setNames(as.numeric(names(fe) == "fit"), names(fe))
  adj <- pbkrtest::vcovAdj(m)
  se_kr <- sqrt(as.numeric(t(L) %*% as.matrix(adj) %*% L))
  df_kr <- pbkrtest::Lb_ddf(matrix(L, nrow = 1), V, adj)
  df_bw <- length(unique(d$caseworker_id)) - length(fe)
  df <- min(df_kr, df_bw)
  est <- sum(L * fe)
  q <- qt(0.975, df)
  psd <- sqrt((var(d$who5_m0[d$fit == 1]) + var(d$who5_m0[d$fit == 0])) / 2)
  vc <- as.data.frame(VarCorr(m))
  sizes <- aggregate(list(n = cit$citizen_id), list(caseworker_id = cit$caseworker_id, fit = cit$fit,
                                                    stratum = cit$stratum), length)
  size_lm <- lm(as.formula(paste("n ~", if (length(unique(sizes$stratum)) > 1) "fit + stratum" else "fit")),
                data = sizes)
  write.csv(data.frame(estimate = est, se_lme4 = sqrt(as.numeric(t(L) %*% V %*% L)), se_kr = se_kr, df_kr = df_kr,
                       df_between_within = df_bw, df = df, ci_low = est - q * se_kr, ci_high = est + q * se_kr,
                       p_value = 2 * pt(abs(est / se_kr), df, lower.tail = FALSE), pooled_sd = psd,
                       std_difference = est / psd, std_ci_low = (est - q * se_kr) / psd,
                       std_ci_high = (est + q * se_kr) / psd, var_caseworker = vc$vcov[vc$grp == "caseworker_id"],
                       var_residual = vc$vcov[vc$grp == "Residual"], reml_criterion = REMLcrit(m),
                       singular = isSingular(m), n_citizens = nrow(d),
                       n_caseworkers = length(unique(d$caseworker_id)),
                       size_difference = unname(coef(size_lm)["fit"]),
                       lme4 = as.character(packageVersion("lme4")),
                       pbkrtest = as.character(packageVersion("pbkrtest"))),
            file.path(case, "r_recruitment.csv"), row.names = FALSE)
  cat("recruitment reference values written for", case, "\n")
}
if (length(args) >= 1 && args[1] == "--recruitment") {
  for (case in list.dirs("tests/fixtures/reference", recursive = FALSE)) recruitment_reference(case)
  quit(save = "no")
}
# ---- end of the recruitment block (its full-run call is the last line of this script) ----

suppressPackageStartupMessages(library(emmeans))  # the full run only (not needed by --compare, --identified)
root <- "tests/fixtures/reference"

# Rubin's rules with Barnard-Rubin df (mice::pool.scalar) on fixed inputs
suppressPackageStartupMessages(library(mice))
pool_cases <- list(list(Q = c(1.2, 0.8, 1.5, 1.1, 0.9), U = c(0.40, 0.38, 0.45, 0.41, 0.39), dfcom = 61),
                   list(Q = c(-0.3, 0.1, 0.4, -0.2, 0.0, 0.3, 0.2, -0.1), U = rep(0.05, 8), dfcom = 20),
                   list(Q = c(3.0, 3.1, 2.9), U = c(1.0, 1.1, 0.9), dfcom = 500))
pooled <- do.call(rbind, lapply(seq_along(pool_cases), function(i) {
  pc <- pool_cases[[i]]
  r <- pool.scalar(pc$Q, pc$U, n = pc$dfcom + 1, k = 1)
  data.frame(case = i, Q = paste(pc$Q, collapse = " "), U = paste(pc$U, collapse = " "), dfcom = pc$dfcom,
             qbar = r$qbar, t = r$t, df = r$df)
}))
write.csv(pooled, "tests/fixtures/r_pool_scalar.csv", row.names = FALSE)
for (case in list.dirs(root, recursive = FALSE)) {
  long <- read.csv(file.path(case, "long.csv"), stringsAsFactors = FALSE)
  long$visit <- factor(long$visit)
  long$stratum <- factor(long$stratum, levels = sort(unique(long$stratum)))
  form <- who5 ~ fit * visit + baseline_who5 + (1 | caseworker_id) + (1 | caseworker_id:visit) +
    (1 | caseworker_id:citizen_id)
  if (nlevels(long$stratum) > 1) form <- update(form, . ~ . + stratum)
  if (length(unique(long$baseline_missing)) > 1) form <- update(form, . ~ . + baseline_missing)
  m <- lmerTest::lmer(form, data = long, REML = TRUE, control = TIGHT)
  V <- as.matrix(vcov(m))
  fe <- fixef(m)
  write.csv(data.frame(term = names(fe), estimate = unname(fe), se = sqrt(diag(V))),
            file.path(case, "r_lmm_fixef.csv"), row.names = FALSE)
  vc <- as.data.frame(VarCorr(m))
  write.csv(data.frame(component = vc$grp, variance = vc$vcov, reml_criterion = REMLcrit(m)),
            file.path(case, "r_lmm_vc.csv"), row.names = FALSE)
  rows <- list()
  for (v in levels(long$visit)) {
    L <- setNames(rep(0, length(fe)), names(fe))
    L["fit"] <- 1
    inter <- paste0("fit:visit", v)
    if (inter %in% names(L)) L[inter] <- 1
    sat <- lmerTest::contest(m, matrix(L, nrow = 1), ddf = "Satterthwaite", joint = FALSE)
    Vkr <- as.matrix(pbkrtest::vcovAdj(m))
    rows[[v]] <- data.frame(timepoint_months = as.integer(v), estimate = sum(L * fe),
                            se = sqrt(as.numeric(t(L) %*% V %*% L)), df_satterthwaite = sat$df,
                            se_kr = sqrt(as.numeric(t(L) %*% Vkr %*% L)),
                            df_kr = pbkrtest::Lb_ddf(matrix(L, nrow = 1), V, pbkrtest::vcovAdj(m)))
  }
  write.csv(do.call(rbind, rows), file.path(case, "r_lmm_contrast.csv"), row.names = FALSE)
  # cov.keep = 1: the 0/1 missing-baseline indicator is held at its mean (emmeans by default
  # would average its two values with equal weight)
  emm <- as.data.frame(emmeans(m, ~ fit | visit, at = list(fit = c(0, 1)), cov.keep = 1,
                               lmer.df = "satterthwaite"))
  write.csv(data.frame(fit = emm$fit, visit = emm$visit, emmean = emm$emmean, se = emm$SE, df = emm$df),
            file.path(case, "r_emmeans.csv"), row.names = FALSE)

  cit <- read.csv(file.path(case, "citizens.csv"), stringsAsFactors = FALSE)
  cit$stratum <- factor(cit$stratum, levels = sort(unique(cit$stratum)))
  out <- list()
  for (o in c("dropout", "completed", "kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m")) {
    d <- cit[!is.na(cit[[o]]), ]
    d <- d[order(d$caseworker_id, d$citizen_id), ]
    d$cl <- as.integer(factor(d$caseworker_id))
    d$y <- d[[o]]
    rhs <- if (nlevels(droplevels(d$stratum)) > 1) "fit + stratum" else "fit"
    g <- geeglm(as.formula(paste("y ~", rhs)), id = cl, data = d, family = binomial, corstr = "exchangeable")
    X <- model.matrix(as.formula(paste("~", rhs)), data = d)
    Vmd <- tryCatch(md_covariance(g, X, d$y, d$cl), error = function(e) matrix(NA, ncol(X), ncol(X)))
    Vkc <- tryCatch(md_covariance(g, X, d$y, d$cl, -0.5), error = function(e) matrix(NA, ncol(X), ncol(X)))
    out[[o]] <- data.frame(outcome = o, log_or = unname(coef(g)["fit"]),
                           se_sandwich = sqrt(vcov(g)["fit", "fit"]),
                           se_mancl_derouen = sqrt(Vmd[2, 2]),
                           se_kauermann_carroll = sqrt(Vkc[2, 2]),
                           alpha = as.numeric(summary(g)$corr$Estimate),
                           n = nrow(d), clusters = length(unique(d$cl)))
  }
  write.csv(do.call(rbind, out), file.path(case, "r_gee.csv"), row.names = FALSE)

  for (name in sub("^design_(.*)\\.csv$", "\\1", list.files(case, pattern = "^design_.*\\.csv$"))) {
    fit_design(case, name)
  }

  # complete-case ANCOVA at 12 months: OLS with CR2 and Bell-McCaffrey (Satterthwaite) df (clubSandwich)
  cc <- cit[!is.na(cit$who5_m12), ]
  rhs <- "fit + baseline_who5"
  if (length(unique(cc$baseline_missing)) > 1) rhs <- paste(rhs, "+ baseline_missing")
  if (nlevels(droplevels(cc$stratum)) > 1) rhs <- paste(rhs, "+ stratum")
  ols <- lm(as.formula(paste("who5_m12 ~", rhs)), data = cc)
  ct <- clubSandwich::coef_test(ols, vcov = "CR2", cluster = cc$caseworker_id, test = "Satterthwaite")
  k <- which(ct$Coef == "fit")
  write.csv(data.frame(estimate = ct$beta[k], se_cr2 = ct$SE[k], df_bm = ct$df_Satt[k]),
            file.path(case, "r_ancova_cr2.csv"), row.names = FALSE)

  # latent-scale ICC: random-intercept logistic model by adaptive Gauss-Hermite quadrature (lme4)
  gl <- list()
  for (o in c("dropout", "stable_income_12m")) {
    d <- cit[!is.na(cit[[o]]), ]
    d$y <- d[[o]]
    rhs <- if (nlevels(droplevels(d$stratum)) > 1) "fit + stratum" else "fit"
    gm <- glmer(as.formula(paste("y ~", rhs, "+ (1 | caseworker_id)")), data = d, family = binomial, nAGQ = 25,
                control = glmerControl(optimizer = "bobyqa"))
    gl[[o]] <- data.frame(outcome = o, sigma_u = sqrt(as.numeric(VarCorr(gm)$caseworker_id)),
                          beta_fit = unname(fixef(gm)["fit"]), loglik = as.numeric(logLik(gm)))
  }
  write.csv(do.call(rbind, gl), file.path(case, "r_glmer.csv"), row.names = FALSE)

  # time to dropout: Cox (Breslow ties) with caseworker-clustered robust SE (survival)
  sv <- cit[!is.na(cit$time_days), ]
  rhs <- if (nlevels(droplevels(sv$stratum)) > 1) "fit + stratum" else "fit"
  cx <- coxph(as.formula(paste("Surv(time_days, event_dropout) ~", rhs)), data = sv, ties = "breslow",
              cluster = caseworker_id)
  write.csv(data.frame(log_hr = unname(coef(cx)["fit"]), robust_se = sqrt(vcov(cx)["fit", "fit"]),
                       n = cx$n, events = cx$nevent), file.path(case, "r_cox.csv"), row.names = FALSE)
  competing_reference(case)
  write.csv(data.frame(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                       lmerTest = as.character(packageVersion("lmerTest")),
                       pbkrtest = as.character(packageVersion("pbkrtest")),
                       emmeans = as.character(packageVersion("emmeans")),
                       geepack = as.character(packageVersion("geepack")),
                       clubSandwich = as.character(packageVersion("clubSandwich")),
                       survival = as.character(packageVersion("survival")),
                       mice = as.character(packageVersion("mice"))),
            file.path(case, "r_versions.csv"), row.names = FALSE)
  cat("reference values written for", case, "\n")
}

# the identified-random-part cases (see identified_reference)
for (case in list.dirs(IDENTIFIED_ROOT, recursive = FALSE)) identified_reference(case)
# the competing-risk cases (see competing_reference; those of tests/fixtures/reference are done above)
for (case in list.dirs("tests/fixtures/competing_reference", recursive = FALSE)) competing_reference(case)
# recruitment after randomisation (see recruitment_reference)
for (case in list.dirs("tests/fixtures/reference", recursive = FALSE)) recruitment_reference(case)
