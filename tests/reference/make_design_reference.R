#!/usr/bin/env Rscript
# Reference sample sizes for fittrial.design.power and fittrial.design.binary, from R's CRTSize (Rotondi; Donner &
# Klar's formulas): clusters per arm for a difference in means (n4means) and in proportions (n4props), equal
# cluster sizes, two-sided alpha 0.05, power 0.8. CRTSize uses the normal approximation and, when that gives
# fewer than 30 clusters per arm, iterates with central t quantiles on 2(n - 1) df until n changes by at most 1.
#
# CRTSize is on CRAN (pure R, no dependencies); where CRAN is not reachable, install it from the CRAN mirror
# on GitHub: git clone https://github.com/cran/CRTSize && R CMD INSTALL CRTSize
#
# Run from the repository root:  Rscript tests/reference/make_design_reference.R
# Writes tests/fixtures/r_crtsize.csv: kind, delta, sigma, pe, pc, m, icc, n (unrounded clusters per arm),
# n_clusters (ceiling(n), what CRTSize prints), crtsize_version.
suppressPackageStartupMessages(library(CRTSize))
means <- expand.grid(delta = c(2.5, 5, 10), sigma = 20, m = c(5, 10, 20), ICC = c(0.01, 0.05, 0.1))
props <- expand.grid(pc = c(0.3, 0.15), or = c(0.5, 0.67, 0.8), m = c(10, 20), ICC = c(0.01, 0.05))
props$pe <- props$or * props$pc / (1 - props$pc + props$or * props$pc)
rows <- list()
for (i in seq_len(nrow(means))) {
  r <- with(means[i, ], n4means(delta = delta, sigma = sigma, m = m, ICC = ICC))
  rows[[length(rows) + 1]] <- data.frame(kind = "means", delta = r$delta, sigma = r$sigma, pe = NA, pc = NA,
                                         m = r$m, icc = r$ICC, n = r$n, n_clusters = ceiling(r$nE))
}
for (i in seq_len(nrow(props))) {
  r <- with(props[i, ], n4props(pe = pe, pc = pc, m = m, ICC = ICC))
  rows[[length(rows) + 1]] <- data.frame(kind = "props", delta = NA, sigma = NA, pe = r$pe, pc = r$pc,
                                         m = r$m, icc = r$ICC, n = r$n, n_clusters = ceiling(r$nE))
}
out <- do.call(rbind, rows)
out$crtsize_version <- as.character(packageVersion("CRTSize"))
write.csv(out, "tests/fixtures/r_crtsize.csv", row.names = FALSE)
