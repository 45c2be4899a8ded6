# Reference values for the three real trials (tests/test_real_trials.py): the primary model fitted by lme4 (REML)
# with the random part the workflow fits, the arm contrast at the primary visit, its Kenward-Roger SE and df
# (pbkrtest::vcovAdj and get_Lb_ddf) and the lme4 (conditional) SE. Run from the repository root after
#   .venv/bin/python tests/reference/make_real_fixtures.py /tmp/fittrial-real
#   Rscript tests/reference/make_real_reference.R /tmp/fittrial-real
# Writes tests/fixtures/real_trials/<name>/r_lme4.csv and tests/fixtures/real_trials/versions.txt.
suppressMessages({library(lme4); library(pbkrtest)})
args <- commandArgs(trailingOnly = TRUE)
folder <- if (length(args)) args[1] else "/tmp/fittrial-real"
for (name in c("kenya_tracking", "balsakhi_vadodara", "washb_bangladesh")) {
  d <- read.csv(file.path(folder, name, "long.csv"), colClasses = c(caseworker_id = "character",
                                                                  citizen_id = "character", stratum = "character"))
  primary <- read.csv(file.path(folder, name, "meta.csv"))$primary_visit
  d$visit <- factor(d$visit)
  d$stratum <- factor(d$stratum)
  visits <- levels(d$visit)
  fixed <- "who5 ~ fit"
  if (length(visits) > 1) fixed <- paste(fixed, "* visit")
  if (length(unique(d$baseline_who5)) > 1) fixed <- paste(fixed, "+ baseline_who5")
  if (length(unique(d$baseline_missing)) > 1) fixed <- paste(fixed, "+ baseline_missing")
  if (nlevels(d$stratum) > 1) fixed <- paste(fixed, "+ stratum")
  # the random part the workflow fits: caseworker; caseworker x visit with more than one visit; citizen when some
  # citizen has more than one observation
  random <- "(1 | caseworker_id)"
  if (length(visits) > 1) random <- paste(random, "+ (1 | caseworker_id:visit)")
  if (any(table(d$citizen_id) > 1)) random <- paste(random, "+ (1 | caseworker_id:citizen_id)")
  m <- lmer(as.formula(paste(fixed, "+", random)), data = d, REML = TRUE,
            control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
  beta <- fixef(m)
  L <- setNames(numeric(length(beta)), names(beta))
  L["fit"] <- 1
  inter <- paste0("fit:visit", primary)
  if (inter %in% names(L)) L[inter] <- 1
  Lm <- matrix(L, nrow = 1)
  kr <- vcovAdj(m)
  out <- data.frame(
    trial = name, primary_visit = primary, estimate = sum(L * beta),
    se_lme4 = sqrt(drop(Lm %*% as.matrix(vcov(m)) %*% t(Lm))),
    se_kr = sqrt(drop(Lm %*% as.matrix(kr) %*% t(Lm))),
    df_kr = get_Lb_ddf(m, Lm),
    reml_criterion = as.numeric(REMLcrit(m)),
    n_obs = nrow(d), n_clusters = length(unique(d$caseworker_id)), formula = paste(fixed, "+", random))
  dir.create(file.path("tests/fixtures/real_trials", name), showWarnings = FALSE, recursive = TRUE)
  write.csv(out, file.path("tests/fixtures/real_trials", name, "r_lme4.csv"), row.names = FALSE)
  print(out)
}
writeLines(paste("R", R.version$major, R.version$minor, "lme4", as.character(packageVersion("lme4")),
                 "pbkrtest", as.character(packageVersion("pbkrtest"))), "tests/fixtures/real_trials/versions.txt")
