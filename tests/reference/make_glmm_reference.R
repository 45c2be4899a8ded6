# Reference values of the random-intercept logit (fittrial.analyses.icc.RandomInterceptLogit) on data sets with clusters
# that have no events (tests/reference/make_glmm_data.py): lme4::glmer(y ~ fit + stratum + (1 | cluster),
# nAGQ = 25), its log-likelihood, sigma and fixed effects, and the profile-likelihood CI of sigma
# (lme4::profile + confint). Run from the repository root:
#   .venv/bin/python tests/reference/make_glmm_data.py && Rscript tests/reference/make_glmm_reference.R
# Writes tests/fixtures/glmm_zero_clusters/reference.csv.
suppressMessages(library(lme4))
dir <- "tests/fixtures/glmm_zero_clusters"
rows <- list()
for (f in sort(list.files(dir, pattern = "^d[0-9]+\\.csv$"))) {
  d <- read.csv(file.path(dir, f))
  d$stratum <- factor(d$stratum)
  form <- if (nlevels(d$stratum) > 1) y ~ fit + stratum + (1 | cluster) else y ~ fit + (1 | cluster)
  m <- glmer(form, family = binomial, data = d, nAGQ = 25,
             control = glmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
  ci <- tryCatch(suppressMessages(suppressWarnings(confint(m, parm = "theta_", method = "profile"))),
                 error = function(e) matrix(c(NA, NA), 1))
  rows[[f]] <- data.frame(file = f, loglik = as.numeric(logLik(m)), sigma = getME(m, "theta")[[1]],
                          beta_fit = fixef(m)[["fit"]], ci_low = ci[1, 1], ci_high = ci[1, 2],
                          converged = is.null(m@optinfo$conv$lme4$messages))
}
out <- do.call(rbind, rows)
write.csv(out, file.path(dir, "reference.csv"), row.names = FALSE)
writeLines(paste("R", R.version$major, R.version$minor, "lme4", as.character(packageVersion("lme4"))),
           file.path(dir, "versions.txt"))
print(out)
