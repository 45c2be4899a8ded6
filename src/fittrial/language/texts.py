"""Report texts of the CONSORT items, the flow diagram and the yardsticks, in English and Danish.

Merged into :data:`fittrial.language.i18n.TEXT`; kept apart so each module stays readable.
"""

from __future__ import annotations

FLOW = {
    "en": {
        "fl_randomised": "Caseworkers randomised (clusters), by stratum",
        "fl_randomised_pairs": "Caseworkers randomised (clusters) in matched pairs, one per arm in each pair",
        "fl_randomised_one": "Caseworkers randomised (clusters)",
        "fl_enrolled": "Citizens enrolled by the caseworkers after randomisation",
        "fl_baseline": "WHO-5 at baseline",
        "fl_who5": "WHO-5 at {v} months",
        "fl_change": "Analysed: individual change, yardsticks (WHO-5 at baseline and {v} months)",
        "fl_analysed": "Analysed: {analyses} ({population})",
        "fl_a_itt": "primary mixed model", "fl_a_clda": "CLDA", "fl_a_cluster_level": "cluster-level",
        "fl_a_ancova_cr2": "ANCOVA", "fl_a_randomisation_test": "randomisation test", "fl_a_cace": "CACE",
        "fl_a_multiple_imputation": "multiple imputation", "fl_a_time_to_dropout": "time to dropout",
        "fl_a_per_protocol": "per protocol",
        "fl_pop_followup_who5": "at least one follow-up WHO-5", "fl_pop_any_who5": "at least one WHO-5, baseline included",
        "fl_pop_visit": "WHO-5 at {v} months", "fl_pop_enrolled": "every enrolled citizen",
        "fl_outcome": "Analysed: {o} (outcome recorded)",
        "fl_box": "{n} citizens\n{cw} caseworkers", "fl_box_cw": "{cw} caseworkers",
        "fl_no_citizens": "Caseworkers who enrolled\nno citizen: {n}",
        "fl_side_who5": "No WHO-5: {n}", "fl_side_analysis": "Not analysed: {n}",
        "fl_side_outcome": "Not recorded: {n}", "fl_side_title": "not included",
        "end_dropout": "ended: dropout", "end_completed": "ended: completed", "end_moved": "ended: moved",
        "end_evicted": "ended: evicted", "end_died": "ended: died", "end_other": "ended: other reason",
        "end_in_course": "in the course, not answered", "end_no_form": "no form", "fl_pairs": "matched pairs",
    },
    "da": {
        "fl_randomised": "Medarbejdere lodtrukket (klynger), pr. stratum",
        "fl_randomised_pairs": "Medarbejdere lodtrukket (klynger) i matchede par, én i hver gruppe pr. par",
        "fl_randomised_one": "Medarbejdere lodtrukket (klynger)",
        "fl_enrolled": "Borgere indskrevet af medarbejderne efter lodtrækningen",
        "fl_baseline": "WHO-5 ved start",
        "fl_who5": "WHO-5 efter {v} måneder",
        "fl_change": "Analyseret: individuel ændring, målestokke (WHO-5 ved start og efter {v} måneder)",
        "fl_analysed": "Analyseret: {analyses} ({population})",
        "fl_a_itt": "primær blandet model", "fl_a_clda": "CLDA", "fl_a_cluster_level": "klyngeniveau",
        "fl_a_ancova_cr2": "ANCOVA", "fl_a_randomisation_test": "randomiseringstest", "fl_a_cace": "CACE",
        "fl_a_multiple_imputation": "multipel imputation", "fl_a_time_to_dropout": "tid til frafald",
        "fl_a_per_protocol": "per protokol",
        "fl_pop_followup_who5": "mindst én WHO-5 ved opfølgning", "fl_pop_any_who5": "mindst én WHO-5, start medregnet",
        "fl_pop_visit": "WHO-5 efter {v} måneder", "fl_pop_enrolled": "alle indskrevne borgere",
        "fl_outcome": "Analyseret: {o} (udfald registreret)",
        "fl_box": "{n} borgere\n{cw} medarbejdere", "fl_box_cw": "{cw} medarbejdere",
        "fl_no_citizens": "Medarbejdere, der ikke\nindskrev borgere: {n}",
        "fl_side_who5": "Ingen WHO-5: {n}", "fl_side_analysis": "Ikke analyseret: {n}",
        "fl_side_outcome": "Ikke registreret: {n}", "fl_side_title": "ikke med",
        "end_dropout": "afsluttet: frafald", "end_completed": "afsluttet: gennemført", "end_moved": "afsluttet: flyttet",
        "end_evicted": "afsluttet: sat ud", "end_died": "afsluttet: død", "end_other": "afsluttet: anden årsag",
        "end_in_course": "i forløb, ikke besvaret", "end_no_form": "intet skema", "fl_pairs": "matchede par",
    },
}

CONSORT = {
    "en": {
        "s_design": "Trial design and conduct (CONSORT)",
        "cs_item": "Item", "cs_text": "As stated for this trial", "cs_not_stated": "not stated",
        "cs_background": "Background and rationale", "cs_objectives": "Objectives",
        "cs_setting": "Setting and locations", "cs_eligibility_clusters": "Eligibility of clusters (caseworkers)",
        "cs_eligibility_individuals": "Eligibility of individuals (citizens)", "cs_intervention": "Intervention",
        "cs_control": "Comparator", "cs_outcomes": "Outcomes and their definitions",
        "cs_sample_size": "Sample size", "cs_sequence_generation": "Sequence generation and type of randomisation",
        "cs_allocation_concealment": "Allocation concealment",
        "cs_recruitment": "Recruitment of individuals after randomisation", "cs_blinding": "Blinding",
        "cs_dates": "Dates of recruitment and follow-up", "cs_harms": "Harms", "cs_limitations": "Limitations",
        "cs_registration": "Registration", "cs_protocol": "Protocol", "cs_funding": "Funding",
        "cs_icc": "ICC of WHO-5 assumed for the sample size: {assumed}; observed in this trial: {observed}.",
        "cs_harms_observed": "Observed: reliably deteriorated (WHO-5 down by {k} points or more) {fit} in {a} and "
                             "{con} in {b}; section \"{section}\".",
        "cs_recruitment_observed": "See \"{section}\" for the comparison of whom the arms recruited.",
        "source": "Source: {f}.", "ci_abbr": "CI", "not_recorded": "not recorded",
        "seed_icc_bootstrap": "ICC bootstrap", "seed_multiple_imputation": "multiple imputation",
        "seed_randomisation_test": "randomisation test", "seed_validation_study": "validation study",
        "oc_mnar": "When follow-up is missing not at random (\"{scenario}\"), every analysis that assumes missing "
                   "at random is biased (the primary analysis rejects in {rate}% of trials without an effect): this "
                   "is why the tipping-point analysis is reported. The targets above are judged only in the "
                   "scenarios where data are missing at random.",
        "y_rr_unit": "risk ratio", "y_points_unit": "points",
        "alt_flow": "Flow diagram by arm: caseworkers randomised, citizens enrolled, WHO-5 at each visit and each "
                    "analysis population, with the number not included at each stage and why (tables/flow.csv).",
        "alt_trajectories": "Mean WHO-5 with 95% CIs by arm at each visit: the observed baseline mean and the "
                            "model-based means at follow-up; at {m} months {a} {x} and {b} {y} points.",
        "alt_trajectories_no_baseline": "Mean WHO-5 with 95% CIs by arm at each follow-up visit (model-based means); "
                                        "at {m} months {a} {x} and {b} {y} points.",
        "alt_forest_who5": "Forest plot: the effect on WHO-5 at {m} months with 95% CI from each of {n} analyses, "
                           "estimates from {lo} to {hi} points.",
        "alt_forest_subgroups": "Forest plot: the effect on WHO-5 at {m} months with 95% CI within each subgroup "
                                "level, with the interaction p-values.",
        "alt_cif": "Cumulative incidence of dropout by arm over the days since enrolment, with the numbers at risk.",
        "alt_fit_practice": "ORS and SRS by meeting number in the FIT arm: medians with interquartile ranges and the "
                            "clinical cut-offs.",
        "alt_tipping_point_2d": "Map of the conclusion when the imputed WHO-5 values of each arm are shifted by the "
                                "amounts on the axes.",
        "cs_note": "From the trial section of the configuration; \"not stated\" where it says nothing.",
    },
    "da": {
        "s_design": "Forsøgets design og gennemførelse (CONSORT)",
        "cs_item": "Punkt", "cs_text": "Som angivet for dette forsøg", "cs_not_stated": "ikke angivet",
        "cs_background": "Baggrund og begrundelse", "cs_objectives": "Formål",
        "cs_setting": "Sted og rammer", "cs_eligibility_clusters": "Hvilke klynger (medarbejdere) kunne deltage",
        "cs_eligibility_individuals": "Hvilke borgere kunne deltage", "cs_intervention": "Indsats",
        "cs_control": "Sammenligning", "cs_outcomes": "Udfald og deres definitioner",
        "cs_sample_size": "Stikprøvestørrelse", "cs_sequence_generation": "Lodtrækningens udformning",
        "cs_allocation_concealment": "Skjult tildeling",
        "cs_recruitment": "Rekruttering af borgere efter lodtrækningen", "cs_blinding": "Blinding",
        "cs_dates": "Datoer for rekruttering og opfølgning", "cs_harms": "Skadevirkninger",
        "cs_limitations": "Begrænsninger", "cs_registration": "Registrering", "cs_protocol": "Protokol",
        "cs_funding": "Finansiering",
        "cs_icc": "ICC for WHO-5 antaget i stikprøveberegningen: {assumed}; observeret i dette forsøg: {observed}.",
        "cs_harms_observed": "Observeret: pålidelig forværring (WHO-5 faldet {k} point eller mere) {fit} i {a} og "
                             "{con} i {b}; afsnit \"{section}\".",
        "cs_recruitment_observed": "Se \"{section}\" for sammenligningen af, hvem grupperne rekrutterede.",
        "source": "Kilde: {f}.", "ci_abbr": "KI", "not_recorded": "ikke registreret",
        "seed_icc_bootstrap": "ICC-bootstrap", "seed_multiple_imputation": "multipel imputation",
        "seed_randomisation_test": "randomiseringstest", "seed_validation_study": "valideringsstudie",
        "oc_mnar": "Når opfølgningen mangler systematisk (\"{scenario}\"), er alle analyser, der antager "
                   "tilfældigt manglende data, skævvredne (den primære analyse forkaster i {rate}% af forsøg uden "
                   "effekt): derfor rapporteres vendepunktsanalysen. Målene ovenfor vurderes kun i scenarier, hvor "
                   "data mangler tilfældigt.",
        "y_rr_unit": "relativ risiko", "y_points_unit": "point",
        "alt_flow": "Flowdiagram pr. gruppe: medarbejdere lodtrukket, borgere indskrevet, WHO-5 ved hvert besøg og "
                    "hver analysepopulation med antallet, der ikke er med på hvert trin, og hvorfor "
                    "(tables/flow.csv).",
        "alt_trajectories": "Gennemsnitlig WHO-5 med 95% KI pr. gruppe ved hvert besøg: det observerede gennemsnit "
                            "ved start og de modelbaserede gennemsnit ved opfølgning; efter {m} måneder {a} {x} og "
                            "{b} {y} point.",
        "alt_trajectories_no_baseline": "Gennemsnitlig WHO-5 med 95% KI pr. gruppe ved hvert opfølgningsbesøg "
                                        "(modelbaserede gennemsnit); efter {m} måneder {a} {x} og {b} {y} point.",
        "alt_forest_who5": "Figur (forest plot): effekten på WHO-5 efter {m} måneder med 95% KI fra hver af {n} analyser, "
                           "estimater fra {lo} til {hi} point.",
        "alt_forest_subgroups": "Figur (forest plot): effekten på WHO-5 efter {m} måneder med 95% KI i hver undergruppe med "
                                "interaktions-p-værdierne.",
        "alt_cif": "Kumulativ incidens af frafald pr. gruppe over dagene siden start med antallet i risiko.",
        "alt_fit_practice": "ORS og SRS pr. mødenummer i FIT-gruppen: medianer med interkvartilbredde og de "
                            "kliniske grænser.",
        "alt_tipping_point_2d": "Kort over konklusionen, når de imputerede WHO-5-værdier i hver gruppe forskydes med "
                                "værdierne på akserne.",
        "cs_note": "Fra forsøgsbeskrivelsen i analysens opsætning (trial); \"ikke angivet\" betyder, at "
                   "oplysningen mangler.",
    },
}

YARDSTICKS = {
    "en": {
        "s_yardsticks": "How much? Yardsticks for the primary effect",
        "y_mid_below": "The minimal important difference on WHO-5 is {mid} points (Topp et al. 2015). The 95% CI "
                       "of the effect ({lo} to {hi}) lies below it: the trial rules out an improvement of {mid} "
                       "points or more.",
        "y_mid_includes": "The minimal important difference on WHO-5 is {mid} points (Topp et al. 2015). The 95% CI "
                          "of the effect ({lo} to {hi}) reaches it: an improvement of {mid} points or more cannot "
                          "be ruled out.",
        "y_mid_above": "The minimal important difference on WHO-5 is {mid} points (Topp et al. 2015). The whole 95% "
                       "CI of the effect ({lo} to {hi}) lies above it: the improvement is important.",
        "y_mid_not_estimated": "The primary effect was not estimated, so it cannot be compared with the minimal "
                               "important difference ({mid} points).",
        "y_harm_ruled_out": "The CI also rules out an important worsening ({neg} points or worse).",
        "y_harm_not_ruled_out": "An important worsening ({neg} points or worse) is not ruled out.",
        "y_g": "Standardised effect size (Hedges' g, on the SD of baseline WHO-5): {g} (95% CI {ci}); 0.2 is "
               "conventionally called small.",
        "y_g_not": "Standardised effect size (Hedges' g): not estimated: {reason}.",
        "y_measure": "Citizens (WHO-5 at baseline and {m} months)", "y_rd": "Risk difference per 100 (95% CI)",
        "y_rr": "Risk ratio (95% CI)",
        "y_reliable_improvement": "Reliably improved (up {k} points or more)",
        "y_reliable_deterioration": "Reliably deteriorated (down {k} points or more; harm)",
        "y_poor_wellbeing": "Poor well-being at {m} months (WHO-5 {c} or less)",
        "y_likely_depression": "Likely depression at {m} months (WHO-5 {c} or less)",
        "y_cutoff": "{label} at {m} months (WHO-5 {c} or less)",
        "y_no_change": "Individual change (reliable improvement or deterioration, states at {m} months) needs WHO-5 at "
                       "baseline and at {m} months for the same citizens; no citizen has both, so it is not shown.",
        "y_note": "Shares of the citizens with WHO-5 at baseline and at {m} months. Risk difference and risk ratio "
                  "from a GEE as for the course outcomes (exchangeable working correlation within caseworker, "
                  "adjusted for stratum, {cov}, t-test with caseworkers - parameters df); not adjusted for "
                  "multiplicity. The risk difference (percentage points) is standardised over the stratum mix, so it need "
                  "not equal the difference of the percentages shown. Source: tables/yardsticks.csv.",
        "y_claims_title": "The effects claimed for FIT, compared with this trial",
        "y_claim": "Claim", "y_claimed": "Claimed value", "y_observed": "Observed (95% CI)",
        "y_inside": "Claimed value inside the CI?", "y_yes": "yes", "y_no": "no",
        "y_claims_note": "A comparison with claims made for FIT in the source material, not a new hypothesis test. "
                         "Risk ratios FIT/control; for the doubled effect, the claimed difference is the control "
                         "arm's observed mean change from baseline ({change} points) (its uncertainty ignored). "
                         "Source: tables/claims.csv.",
        "y_claims_sentence_none": "None of the claimed effects lies inside the 95% CI of this trial's estimate.",
        "y_claims_sentence": "Claimed effects inside the 95% CI of this trial's estimate: {which}; outside: {others}.",
        "y_claims_blinded": "The comparison with the claims made for the intervention is left out of a blinded review.",
    },
    "da": {
        "s_yardsticks": "Hvor meget? Målestokke for den primære effekt",
        "y_mid_below": "Den mindste vigtige forskel på WHO-5 er {mid} point (Topp m.fl. 2015). Effektens 95% KI "
                       "({lo} til {hi}) ligger under den: forsøget udelukker en forbedring på {mid} point eller mere.",
        "y_mid_includes": "Den mindste vigtige forskel på WHO-5 er {mid} point (Topp m.fl. 2015). Effektens 95% KI "
                          "({lo} til {hi}) når op til den: en forbedring på {mid} point eller mere kan ikke "
                          "udelukkes.",
        "y_mid_above": "Den mindste vigtige forskel på WHO-5 er {mid} point (Topp m.fl. 2015). Hele effektens 95% KI "
                       "({lo} til {hi}) ligger over den: forbedringen er vigtig.",
        "y_mid_not_estimated": "Den primære effekt blev ikke estimeret og kan derfor ikke sammenlignes med den "
                               "mindste vigtige forskel ({mid} point).",
        "y_harm_ruled_out": "Intervallet udelukker også en vigtig forværring ({neg} point eller værre).",
        "y_harm_not_ruled_out": "En vigtig forværring ({neg} point eller værre) kan ikke udelukkes.",
        "y_g": "Standardiseret effektstørrelse (Hedges' g, på SD af WHO-5 ved start): {g} (95% KI {ci}); 0,2 "
               "kaldes sædvanligvis lille.",
        "y_g_not": "Standardiseret effektstørrelse (Hedges' g): ikke estimeret: {reason}.",
        "y_measure": "Borgere (WHO-5 ved start og efter {m} måneder)", "y_rd": "Risikoforskel pr. 100 (95% KI)",
        "y_rr": "Relativ risiko (95% KI)",
        "y_reliable_improvement": "Pålideligt forbedret (steget {k} point eller mere)",
        "y_reliable_deterioration": "Pålideligt forværret (faldet {k} point eller mere; skade)",
        "y_poor_wellbeing": "Dårlig trivsel efter {m} måneder (WHO-5 {c} eller lavere)",
        "y_likely_depression": "Sandsynlig depression efter {m} måneder (WHO-5 {c} eller lavere)",
        "y_cutoff": "{label} efter {m} måneder (WHO-5 {c} eller lavere)",
        "y_no_change": "Individuel ændring (pålidelig forbedring eller forværring, tilstand efter {m} måneder) kræver "
                       "WHO-5 ved start og efter {m} måneder for de samme borgere; ingen borger har begge, så den vises "
                       "ikke.",
        "y_note": "Andele af borgerne med WHO-5 ved start og efter {m} måneder. Risikoforskel og relativ risiko fra "
                  "en GEE som for forløbsmålene (udskiftelig arbejdskorrelation inden for medarbejder, justeret "
                  "for stratum, {cov}, t-test med medarbejdere - parametre frihedsgrader); ikke justeret for "
                  "multiplicitet. Risikoforskellen (procentpoint) er standardiseret over fordelingen på strata og er derfor "
                  "ikke nødvendigvis forskellen mellem de viste procenter. Kilde: tables/yardsticks.csv.",
        "y_claims_title": "De effekter, der er hævdet for FIT, sammenlignet med dette forsøg",
        "y_claim": "Påstand", "y_claimed": "Hævdet værdi", "y_observed": "Observeret (95% KI)",
        "y_inside": "Hævdet værdi inden for KI?", "y_yes": "ja", "y_no": "nej",
        "y_claims_note": "En sammenligning med påstande om FIT i kildematerialet, ikke en ny hypotesetest. Relativ "
                         "risiko FIT/kontrol; for den fordoblede effekt er den hævdede forskel kontrolgruppens "
                         "observerede gennemsnitlige ændring fra start ({change} point) (dens usikkerhed ses der bort "
                         "fra). Kilde: tables/claims.csv.",
        "y_claims_sentence_none": "Ingen af de hævdede effekter ligger inden for 95%-konfidensintervallet for dette "
                                  "forsøgs estimat.",
        "y_claims_sentence": "Hævdede effekter inden for 95%-konfidensintervallet for dette forsøgs estimat: "
                             "{which}; uden for: {others}.",
        "y_claims_blinded": "Sammenligningen med påstandene om indsatsen er udeladt i en blindet gennemgang.",
    },
}

# labels of the analysis plan's settings, of their coded values, of the OC scenarios and of the inputs
PLAN_LABELS = {'en': {'scoring.who5_prorate_one_missing': 'WHO-5 form with one item missing scored by prorating',
        'visits': 'Visits (month: window in days after enrolment)',
        'analysis.primary_visit': 'Primary visit (months)',
        'analysis.outcome_window_days': 'Window of the course outcomes (days)',
        'analysis.lmm_df': 'Degrees of freedom of the mixed models',
        'analysis.gee_covariance': 'Covariance of the GEEs',
        'analysis.randomisation.n': 'Randomisation test: re-randomisations',
        'analysis.randomisation.seed': 'Randomisation test: seed',
        'analysis.imputation.m': 'Multiple imputation: imputations',
        'analysis.imputation.seed': 'Multiple imputation: seed',
        'analysis.imputation.delta_from': 'Tipping point: smallest shift (points)',
        'analysis.imputation.delta_to': 'Tipping point: largest shift (points)',
        'analysis.imputation.delta_step': 'Tipping point: step (points)',
        'analysis.imputation.delta_2d_step': 'Two-dimensional tipping point: step (points)',
        'analysis.imputation.auxiliary': 'Multiple imputation: auxiliary variables',
        'analysis.imputation.burn_in': 'Multiple imputation: burn-in iterations',
        'analysis.imputation.between': 'Multiple imputation: iterations between imputations',
        'analysis.adherence_min_sessions': 'Per protocol: least meetings with ORS/SRS',
        'analysis.subgroups': 'Subgroups',
        'analysis.age_breaks': 'Age groups: limits (years)',
        'analysis.icc.bootstrap': 'ICC: bootstrap replicates',
        'analysis.icc.seed': 'ICC: seed',
        'analysis.censor_on': 'Censoring date of time to dropout (empty: end of data)',
        'analysis.km_days': 'Days shown for the cumulative incidence',
        'report.suppress_below': 'Counts suppressed below',
        'report.language': 'Report language',
        'report.blinded': 'Blinded review',
        'report.blinding_key_file': 'Blinding key file',
        'report.operating_characteristics': 'Table of the operating characteristics (appendix)'},
 'da': {'scoring.who5_prorate_one_missing': 'WHO-5-skema med ét manglende spørgsmål scoret ved opregning',
        'visits': 'Besøg (måned: vindue i dage efter start)',
        'analysis.primary_visit': 'Primært besøg (måneder)',
        'analysis.outcome_window_days': 'Vindue for forløbsmålene (dage)',
        'analysis.lmm_df': 'Frihedsgrader i de blandede modeller',
        'analysis.gee_covariance': 'Kovarians i GEE-modellerne',
        'analysis.randomisation.n': 'Randomiseringstest: antal nye lodtrækninger',
        'analysis.randomisation.seed': 'Randomiseringstest: startværdi (seed)',
        'analysis.imputation.m': 'Multipel imputation: antal imputationer',
        'analysis.imputation.seed': 'Multipel imputation: startværdi (seed)',
        'analysis.imputation.delta_from': 'Vendepunkt: mindste forskydning (point)',
        'analysis.imputation.delta_to': 'Vendepunkt: største forskydning (point)',
        'analysis.imputation.delta_step': 'Vendepunkt: trin (point)',
        'analysis.imputation.delta_2d_step': 'Todimensionalt vendepunkt: trin (point)',
        'analysis.imputation.auxiliary': 'Multipel imputation: hjælpevariable',
        'analysis.imputation.burn_in': 'Multipel imputation: indkøringsiterationer',
        'analysis.imputation.between': 'Multipel imputation: iterationer mellem imputationer',
        'analysis.adherence_min_sessions': 'Per protokol: mindst antal møder med ORS/SRS',
        'analysis.subgroups': 'Undergrupper',
        'analysis.age_breaks': 'Aldersgrupper: grænser (år)',
        'analysis.icc.bootstrap': 'ICC: bootstrap-gentagelser',
        'analysis.icc.seed': 'ICC: startværdi (seed)',
        'analysis.censor_on': 'Censureringsdato for tid til frafald (tom: datas slutning)',
        'analysis.km_days': 'Dage vist for den kumulerede incidens',
        'report.suppress_below': 'Antal skjules under',
        'report.language': 'Rapportens sprog',
        'report.blinded': 'Blindet gennemgang',
        'report.blinding_key_file': 'Fil med blindingsnøgle',
        'report.operating_characteristics': 'Tabel over metodernes egenskaber (bilag)'}}

PLAN_VALUES = {'en': {'True': 'yes',
        'False': 'no',
        'kenward_roger': 'Kenward-Roger (capped at the between-within df)',
        'satterthwaite': 'Satterthwaite',
        'between_within': 'between-within',
        'mancl_derouen': 'Mancl-DeRouen (bias-reduced)',
        'robust': 'robust sandwich',
        'en': 'English',
        'da': 'Danish',
        'baseline_who5_le50': 'baseline WHO-5 <= 50',
        'age_group': 'age group',
        'age': 'age',
        'sex': 'sex',
        'stratum': 'stratum',
        'dropout': 'dropout',
        'completed': 'completed',
        'kept_housing_12m': 'kept own housing',
        'eviction_or_risk_12m': 'eviction or risk',
        'stable_income_12m': 'stable income'},
 'da': {'True': 'ja',
        'False': 'nej',
        'kenward_roger': 'Kenward-Roger (højst mellem-inden-frihedsgraderne)',
        'satterthwaite': 'Satterthwaite',
        'between_within': 'mellem-inden (between-within)',
        'mancl_derouen': 'Mancl-DeRouen (bias-reduceret)',
        'robust': 'robust sandwich',
        'en': 'engelsk',
        'da': 'dansk',
        'baseline_who5_le50': 'WHO-5 ved start 50 eller derunder',
        'age_group': 'aldersgruppe',
        'age': 'alder',
        'sex': 'køn',
        'stratum': 'stratum',
        'dropout': 'frafald',
        'completed': 'gennemført',
        'kept_housing_12m': 'opretholdt egen bolig',
        'eviction_or_risk_12m': 'udsættelse eller risiko',
        'stable_income_12m': 'stabilt forsørgelsesgrundlag'}}

SCENARIOS = {'en': {'no_effect': 'No effect: the analysis model',
        'no_effect_cw_followup': 'No effect: caseworkers differ in change over time',
        'no_effect_cw_visit': 'No effect: caseworkers differ by visit',
        'no_effect_ar1': 'No effect: correlation decaying over time (AR(1))',
        'no_effect_heteroscedastic': 'No effect: unequal variances by arm',
        'no_effect_high_icc': 'No effect: high ICC',
        'no_effect_30_caseworkers': 'No effect: 30 caseworkers',
        'no_effect_16_caseworkers': 'No effect: 16 caseworkers',
        'no_effect_8_caseworkers': 'No effect: 8 caseworkers',
        'mnar_no_effect': 'No effect: follow-up missing not at random',
        'plausible_effect': 'Plausible effect (4 points at 12 months; dropout OR 0.7)'},
 'da': {'no_effect': 'Ingen effekt: analysemodellen',
        'no_effect_cw_followup': 'Ingen effekt: medarbejdere adskiller sig i udvikling over tid',
        'no_effect_cw_visit': 'Ingen effekt: medarbejdere adskiller sig pr. besøg',
        'no_effect_ar1': 'Ingen effekt: korrelation, der aftager over tid (AR(1))',
        'no_effect_heteroscedastic': 'Ingen effekt: ulige varians i grupperne',
        'no_effect_high_icc': 'Ingen effekt: høj ICC',
        'no_effect_30_caseworkers': 'Ingen effekt: 30 medarbejdere',
        'no_effect_16_caseworkers': 'Ingen effekt: 16 medarbejdere',
        'no_effect_8_caseworkers': 'Ingen effekt: 8 medarbejdere',
        'mnar_no_effect': 'Ingen effekt: opfølgning mangler ikke tilfældigt',
        'plausible_effect': 'Plausibel effekt (4 point efter 12 måneder; frafald OR 0,7)'}}

INPUT_LABELS = {'en': {'randomisation': 'Randomisation list',
        'citizens': 'Citizens',
        'who5': 'WHO-5 forms',
        'fit_sessions': 'ORS/SRS sessions'},
 'da': {'randomisation': 'Lodtrækningsliste',
        'citizens': 'Borgere',
        'who5': 'WHO-5-skemaer',
        'fit_sessions': 'Møder med ORS/SRS'}}

# a blinded review names the intervention, never FIT, where arms are compared
BLINDED = {"en": {"y_claims_title": "The effects claimed for the intervention, compared with this trial"},
           "da": {"y_claims_title": "De effekter, der er hævdet for indsatsen, sammenlignet med dette forsøg"}}

DESIGN = {
    "en": {
        "ds_title": "Design of the next trial: how many caseworkers and citizens?",
        "ds_sentence": "To detect a {d}-point difference in WHO-5 with {pw}% power you need about {k} caseworkers per "
                       "arm with {m} citizens each ({n} citizens in all).",
        "ds_parameters": "Design parameters", "ds_parameter": "Parameter", "ds_source": "Where it comes from",
        "ds_analytic": "Caseworkers needed per arm (analytic)", "ds_m": "Citizens per caseworker",
        "ds_effect": "Difference (WHO-5 points)", "ds_k": "Caseworkers per arm", "ds_n": "Citizens in all",
        "ds_analytic_note": "Smallest number of caseworkers per arm with at least {pw}% power for the two-sided test "
                            "at the 5% level of the baseline-adjusted difference at {v} months: design effect for "
                            "unequal cluster sizes (Eldridge et al. 2006), ANCOVA reduction from the baseline "
                            "correlation (Teerenstra et al. 2012), attrition, and a noncentral t on 2k - 2 df.",
        "ds_simulated": "Power of the pre-specified primary analysis, simulated and analytic",
        "ds_power_a": "Analytic power", "ds_power_s": "Simulated power (MC SE)", "ds_trials": "Trials",
        "ds_simulated_note": "Simulated trials with these parameters (Poisson cluster sizes, baseline and one "
                             "follow-up), each analysed by the primary mixed model with its df rule; the analytic "
                             "power is for the same cluster-size variation. Where they differ, the analytic "
                             "formula's assumptions (a t-test on the cluster-level df with known variance "
                             "components) do not hold for the pre-specified analysis.",
        "ds_alt": "Power against caseworkers per arm: analytic curves (lines) and simulated power with 95% Monte "
                  "Carlo intervals (points), for each number of citizens per caseworker and difference.",
        "ds_curve": "{m} per caseworker, {d} points", "ds_x": "Caseworkers per arm", "ds_y": "Power",
        "dp_sd": "SD of WHO-5 at the primary visit", "dp_icc": "ICC (caseworker)",
        "dp_cluster_autocorrelation": "Caseworker autocorrelation", "dp_subject_autocorrelation":
            "Citizen correlation baseline - follow-up", "dp_citizens_per_caseworker": "Citizens per caseworker",
        "dp_cv": "CV of citizens per caseworker", "dp_attrition": "Attrition at the primary visit",
        "ds_from_trial": "estimated from this trial: {what}", "ds_from_config": "set in the config ({section})",
        "dsrc_sd": "observed SD of WHO-5 at {v} months",
        "dsrc_icc": "primary mixed model: (caseworker + caseworker x visit) / total variance",
        "dsrc_cluster_autocorrelation": "primary mixed model: caseworker / (caseworker + caseworker x visit)",
        "dsrc_subject_autocorrelation": "correlation of baseline and {v}-month WHO-5 (citizens with both)",
        "dsrc_citizens_per_caseworker": "citizens enrolled per randomised caseworker",
        "dsrc_cv": "coefficient of variation of citizens per caseworker",
        "dsrc_attrition": "share of enrolled citizens without WHO-5 at {v} months",
        "dsrc_prevalence": "share with the outcome in the control arm (citizens with it recorded)",
        "dsrc_bicc": "one-way analysis of variance on the proportion scale, within arm and stratum (Donner & Klar)",
        "dsrc_bcitizens_per_caseworker": "citizens enrolled per randomised caseworker",
        "dsrc_bcv": "coefficient of variation of citizens per caseworker",
        "dsrc_missing": "share of enrolled citizens without the outcome recorded",
        "dp_bprevalence": "Proportion with the outcome, control arm", "dp_bicc": "ICC (caseworker, proportion scale)",
        "dp_bcitizens_per_caseworker": "Citizens per caseworker", "dp_bcv": "CV of citizens per caseworker",
        "dp_bmissing": "Outcome not recorded",
        "ds_b_sentence": "To detect an odds ratio of {o} for {outcome} (from {p0} to {p1}) with {pw}% power you "
                         "need about {k} caseworkers per arm with {m} citizens each ({n} citizens in all).",
        "ds_b_parameters": "Design parameters of the course outcomes", "ds_outcome": "Outcome",
        "ds_b_analytic": "Course outcomes: caseworkers needed per arm (analytic)",
        "ds_or": "Odds ratio (FIT / control)", "ds_props": "Proportion, control \u2192 FIT",
        "ds_b_analytic_note": "Smallest number of caseworkers per arm with at least {pw}% power for the two-sided test "
                              "at the 5% level of the difference in proportions that the odds ratio implies: design "
                              "effect for unequal cluster sizes with the ICC on the proportion scale (Donner & Klar "
                              "2000; Eldridge et al. 2006), citizens without the outcome recorded left out, and a "
                              "noncentral t on 2k - 2 df. The trial report's ICC table gives these outcomes' ICC on "
                              "the latent (logistic) scale instead, which is larger.",
        "ds_b_unusable": "{outcome}: no sample size is given, because the control arm's proportion is 0 or 1 or the "
                         "ICC could not be estimated; set them in the config (design.binary.parameters).",
        "ds_b_simulated": "Power of the pre-specified analysis of the course outcomes, simulated and analytic",
        "ds_not_estimated": "Not estimated",
        "ds_b_simulated_note": "Simulated trials with these parameters, from a model the analysis does not assume: "
                               "each caseworker's proportion varies around the arm's proportion (beta distribution "
                               "with the given ICC) and cluster sizes are Poisson. Each trial is analysed by the "
                               "pre-specified GEE (odds ratio, small-sample sandwich covariance, t on caseworkers - 2 "
                               "df); trials where it is not estimable (e.g. no event in an arm) count as not "
                               "estimated and are left out of the power.",
        "ds_b_alt": "Right: the same for the odds ratios of the course outcomes.",
        "ds_b_curve": "{o}: {m} per caseworker, OR {r}", "ds_b_panel": "Course outcomes (odds ratio)",
    },
    "da": {
        "ds_title": "Design af det næste forsøg: hvor mange medarbejdere og borgere?",
        "ds_sentence": "For at påvise en forskel på {d} point i WHO-5 med {pw}% styrke skal der bruges omkring {k} "
                       "medarbejdere pr. gruppe med {m} borgere hver ({n} borgere i alt).",
        "ds_parameters": "Designparametre", "ds_parameter": "Parameter", "ds_source": "Kilde",
        "ds_analytic": "Nødvendige medarbejdere pr. gruppe (beregnet)", "ds_m": "Borgere pr. medarbejder",
        "ds_effect": "Forskel (WHO-5-point)", "ds_k": "Medarbejdere pr. gruppe", "ds_n": "Borgere i alt",
        "ds_analytic_note": "Mindste antal medarbejdere pr. gruppe med mindst {pw}% styrke for den tosidede test på "
                            "5%-niveau af den startjusterede forskel efter {v} måneder: designeffekt for ulige "
                            "klyngestørrelser (Eldridge m.fl. 2006), ANCOVA-reduktion fra korrelationen med start "
                            "(Teerenstra m.fl. 2012), frafald og en ikke-central t-fordeling med 2k - 2 "
                            "frihedsgrader.",
        "ds_simulated": "Styrken af den forhåndsplanlagte primære analyse, simuleret og beregnet",
        "ds_power_a": "Beregnet styrke", "ds_power_s": "Simuleret styrke (MC-SE)", "ds_trials": "Forsøg",
        "ds_simulated_note": "Simulerede forsøg med disse parametre (Poisson-fordelte klyngestørrelser, start og én "
                             "opfølgning), hver analyseret med den primære blandede model og dens regel for "
                             "frihedsgrader; den beregnede styrke gælder samme variation i klyngestørrelse. Hvor de "
                             "afviger, holder formlens antagelser (en t-test på klyngeniveauets frihedsgrader med "
                             "kendte varianskomponenter) ikke for den forhåndsplanlagte analyse.",
        "ds_alt": "Styrke over for medarbejdere pr. gruppe: beregnede kurver (linjer) og simuleret styrke med 95% "
                  "Monte Carlo-intervaller (punkter) for hvert antal borgere pr. medarbejder og hver forskel.",
        "ds_curve": "{m} pr. medarbejder, {d} point", "ds_x": "Medarbejdere pr. gruppe", "ds_y": "Styrke",
        "dp_sd": "SD af WHO-5 ved det primære besøg", "dp_icc": "ICC (medarbejder)",
        "dp_cluster_autocorrelation": "Medarbejderniveauets autokorrelation", "dp_subject_autocorrelation":
            "Borgerens korrelation mellem start og opfølgning", "dp_citizens_per_caseworker": "Borgere pr. medarbejder",
        "dp_cv": "Variationskoefficient for borgere pr. medarbejder", "dp_attrition": "Frafald ved det primære besøg",
        "ds_from_trial": "estimeret fra dette forsøg: {what}", "ds_from_config": "sat i konfigurationen ({section})",
        "dsrc_sd": "observeret SD af WHO-5 efter {v} måneder",
        "dsrc_icc": "primær blandet model: (medarbejder + medarbejder x besøg) / samlet varians",
        "dsrc_cluster_autocorrelation": "primær blandet model: medarbejder / (medarbejder + medarbejder x besøg)",
        "dsrc_subject_autocorrelation": "korrelation mellem WHO-5 ved start og efter {v} måneder (borgere med begge)",
        "dsrc_citizens_per_caseworker": "indskrevne borgere pr. lodtrukket medarbejder",
        "dsrc_cv": "variationskoefficient for borgere pr. medarbejder",
        "dsrc_attrition": "andel indskrevne borgere uden WHO-5 efter {v} måneder",
        "dsrc_prevalence": "andel med udfaldet i kontrolgruppen (borgere hvor det er registreret)",
        "dsrc_bicc": "envejs-variansanalyse på andelsskalaen inden for gruppe og stratum (Donner & Klar)",
        "dsrc_bcitizens_per_caseworker": "indskrevne borgere pr. lodtrukket medarbejder",
        "dsrc_bcv": "variationskoefficient for borgere pr. medarbejder",
        "dsrc_missing": "andel indskrevne borgere uden registreret udfald",
        "dp_bprevalence": "Andel med udfaldet i kontrolgruppen", "dp_bicc": "ICC (medarbejder, andelsskala)",
        "dp_bcitizens_per_caseworker": "Borgere pr. medarbejder", "dp_bcv": "Variationskoefficient for borgere pr. "
                                                                           "medarbejder",
        "dp_bmissing": "Udfald ikke registreret",
        "ds_b_sentence": "For at påvise en oddsratio på {o} for {outcome} (fra {p0} til {p1}) med {pw}% styrke skal "
                         "der bruges omkring {k} medarbejdere pr. gruppe med {m} borgere hver ({n} borgere i alt).",
        "ds_b_parameters": "Designparametre for forløbsmålene", "ds_outcome": "Udfald",
        "ds_b_analytic": "Forløbsmål: nødvendige medarbejdere pr. gruppe (beregnet)",
        "ds_or": "Oddsratio (FIT / kontrol)", "ds_props": "Andel, kontrol \u2192 FIT",
        "ds_b_analytic_note": "Mindste antal medarbejdere pr. gruppe med mindst {pw}% styrke for den tosidede test på "
                              "5%-niveau af den forskel i andele, som oddsratioen svarer til: designeffekt for ulige "
                              "klyngestørrelser med ICC på andelsskalaen (Donner & Klar 2000; Eldridge m.fl. 2006), "
                              "borgere uden registreret udfald udeladt, og en ikke-central t-fordeling med 2k - 2 "
                              "frihedsgrader. Forsøgsrapportens ICC-tabel angiver i stedet disse udfalds ICC på den "
                              "latente (logistiske) skala, som er større.",
        "ds_b_unusable": "{outcome}: der angives ingen stikprøvestørrelse, fordi andelen i kontrolgruppen er 0 eller "
                         "1, eller fordi ICC ikke kunne estimeres; angiv dem i konfigurationen "
                         "(design.binary.parameters).",
        "ds_b_simulated": "Styrken af den forhåndsplanlagte analyse af forløbsmålene, simuleret og beregnet",
        "ds_not_estimated": "Ikke estimeret",
        "ds_b_simulated_note": "Simulerede forsøg med disse parametre fra en model, som analysen ikke antager: hver "
                               "medarbejders andel varierer omkring gruppens andel (betafordeling med den givne ICC), "
                               "og klyngestørrelserne er Poisson-fordelte. Hvert forsøg analyseres med den "
                               "forhåndsplanlagte GEE (oddsratio, sandwich-kovarians med småstikprøvekorrektion, t "
                               "med medarbejdere - 2 frihedsgrader); forsøg, hvor den ikke kan estimeres (fx ingen "
                               "hændelser i en gruppe), tælles som ikke estimeret og indgår ikke i styrken.",
        "ds_b_alt": "Til højre: det samme for forløbsmålenes oddsratioer.",
        "ds_b_curve": "{o}: {m} pr. medarbejder, OR {r}", "ds_b_panel": "Forløbsmål (oddsratio)",
    },
}

ALL = (FLOW, CONSORT, YARDSTICKS, DESIGN)
