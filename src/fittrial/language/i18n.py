"""Report language: English or Danish labels, sentences and number formatting.

Danish uses a decimal comma and Danish labels throughout the report and its
figures. The published CSV tables stay machine-readable (English column
names, decimal point) in both languages.
"""

from __future__ import annotations

import math

LANGUAGES = ("en", "da")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Cluster-randomised trial: report", "mc_se": "Monte Carlo SE",
        "e_variable_default": "WHO-5 well-being index (0-100) {m} months after enrolment",
        "e_summary_default": "Difference in mean WHO-5 between the arms (FIT minus control), with its 95% confidence "
                             "interval",
        "oc_not_computed": "Not computed for this trial. To see how the analyses behave on trials of this design, run "
                           "`snakemake --cores 2 --configfile=<your config> validate` (it simulates trials with this "
                           "trial's strata, caseworkers, citizens per caseworker, variance components and missing "
                           "data, estimated from these data) and set report.operating_characteristics to "
                           "reports/validation/operating_characteristics.csv.",
        "oc_other_design": "Not shown: the study named in report.operating_characteristics simulated trials of {simulated} "
                           "caseworkers, and this trial randomised {k}. Run `snakemake --cores 2 "
                           "--configfile=<your config> validate` to simulate trials of this design.",
        "oc_unknown_design": "Not shown: the study named in report.operating_characteristics does not say how many "
                             "caseworkers it simulated (no column n_caseworkers), so it cannot be checked to be of this "
                             "trial's design. Run `snakemake --cores 2 --configfile=<your config> validate`.",
        "subtitle": "Cluster-randomised trial: caseworkers randomised within strata to FIT or usual practice; citizens "
                    "analysed by their caseworker's allocated arm (intention to treat).",
        "subtitle_pair_matched": "Pair-matched cluster-randomised trial: caseworkers randomised within matched pairs, "
                                 "one to FIT and one to usual practice; citizens analysed by their caseworker's "
                                 "allocated arm (intention to treat).",
        "subtitle_unstratified": "Cluster-randomised trial: caseworkers randomised to FIT or usual practice; citizens "
                                 "analysed by their caseworker's allocated arm (intention to treat).",
        "cs_allocation_pair_matched": "From the randomisation table: {k} caseworkers randomised in {n} matched pairs, "
                                      "one to each arm in every pair; the analyses treat the pairs as strata.",
        "cs_allocation_stratified": "From the randomisation table: {k} caseworkers randomised within {n} strata.",
        "cs_allocation_unstratified": "From the randomisation table: {k} caseworkers randomised in one stratum.",
        "FIT": "FIT", "control": "Control", "A": "A", "B": "B", "total": "Total",
        "s_summary": "Summary in plain language", "s_flow": "Flow of caseworkers and citizens",
        "s_baseline": "Baseline characteristics", "s_primary": "Primary outcome: WHO-5 well-being",
        "s_secondary": "Course outcomes", "s_triangulation": "Do the analyses agree?",
        "s_subgroups": "Subgroups", "s_dropout": "Time to dropout", "s_icc": "Intra-cluster correlations",
        "s_practice": "FIT in practice", "s_missing": "Missing data", "s_methods": "Methods",
        "s_plan": "Analysis plan as configured", "s_quality": "Data quality", "s_provenance": "Provenance",
        "characteristic": "Characteristic", "std_diff": "Standardised difference", "level": "Level",
        "month": "Month", "mean_ci": "Mean (95% CI)", "difference": "Difference (95% CI)", "df": "df", "p": "p",
        "p_holm": "Holm p", "p_interaction": "Interaction p", "outcome": "Outcome", "events": "Events / n (%)",
        "or": "Odds ratio (95% CI)", "rd": "Risk difference per 100 (95% CI)", "analysis": "Analysis",
        "estimate_ci": "Estimate (95% CI)", "analysed": "Analysed", "scale": "Scale", "icc": "ICC (95% CI)",
        "deff": "Design effect", "measure": "Measure", "value": "Value", "visit": "Visit", "completed": "Completed",
        "predictor": "Predictor", "method": "Method", "key": "Setting", "check": "Check", "count": "Count",
        "table": "Table", "input": "Input", "file": "File", "config_file": "Configuration",
        "published_file": "Published", "hr": "Hazard ratio (95% CI)",
        "baseline_note": "No p-values. The caseworkers were randomised, but they enrolled their citizens afterwards, so "
                         "differences between the arms' citizens may come from chance or from whom each arm recruited "
                         "(next section). Standardised differences above 0.1 in absolute value are noteworthy.",
        "primary_note": "Month 0: observed mean, with a 95% CI that allows for clustering by caseworker (cluster-robust "
                        "SE, t with caseworkers - 1 df). Follow-up months: marginal means of the primary mixed model "
                        "(strata weighted equally, baseline WHO-5 at its mean). In the figure the baseline mean is an "
                        "open circle and the dotted line joins it to the model-based means, which are a different "
                        "kind of estimate. The primary time point is {m} months. Source: tables/primary_outcome.csv.",
        "primary_note_no_baseline": "Marginal means of the primary mixed model at each follow-up (strata weighted "
                                    "equally); the trial has no baseline measure. The primary time point is {m} "
                                    "months. Source: tables/primary_outcome.csv.",
        "secondary_note": "Odds ratio and risk difference from the GEE (main analysis); Holm p adjusted across the "
                          "{n} course outcomes.",
        "practice_note": "ORS (0-40) at the start and SRS (0-40) at the end of each meeting; median and interquartile "
                         "range by meeting number; dashed lines: clinical cut-offs ORS 25 and SRS 36. Reliable change: "
                         "5 ORS points. Results for the FIT arm as a whole; no caseworker is shown.",
        "missing_note": "Odds ratios for a missing {m}-month WHO-5 (GEE, logit, Mancl-DeRouen, t-test).",
        "suppression": "Counts below {k} are shown as \"<{k}\"; \"suppressed\" is a count hidden so that one below "
                       "{k} cannot be worked out from the others; a range (e.g. 554-557) is a count given only "
                       "approximately for the same reason.",
        "agree": "All {n} analyses give an effect at {m} months between {lo} and {hi} points, and every confidence interval "
                 "contains the primary estimate ({est}): the analyses agree.",
        "disagree": "The analyses give effects at {m} months between {lo} and {hi} points; the confidence interval of {which} "
                    "does not contain the primary estimate ({est}), so the analyses do not fully agree.",
        "tipping": "Tipping point (multiple imputation): {text}.",
        "tipping_none": "no shift of the imputed {arm}-arm values between {lo} and {hi} points changes the conclusion "
                        "({before})",
        "tipping_at": "under missing at random the conclusion is {before}; it becomes {after} if the imputed follow-up "
                      "values in the {arm} arm are {d} points {dir} than missing at random assumes",
        "tipping_2d": "Shifting the imputed values of both arms (figure below, tables/tipping_point_2d.csv), the "
                      "smallest shifts that change the conclusion are {a} points in the {arm_a} arm and {b} points in "
                      "the {arm_b} arm (then {after})",
        "tipping_2d_none": "Shifting the imputed values of both arms by up to {lo} to {hi} points each (figure below, "
                           "tables/tipping_point_2d.csv) never changes the conclusion",
        "c_favours": "a difference in favour of {arm}", "c_none": "no clear difference",
        "tip2d_x": "Shift of imputed values, {arm} arm (points)", "tip2d_y": "Shift of imputed values, {arm} arm (points)",
        "tip2d_favours": "favours {arm}", "tip2d_none": "no clear difference", "tip2d_mar": "missing at random",
        "s_estimand": "Estimand (ICH E9(R1))", "attribute": "Attribute", "description": "Description",
        "e_population": "Population", "e_treatments": "Treatment conditions", "e_variable": "Variable (endpoint)",
        "e_summary": "Population-level summary", "e_events": "Intercurrent events and strategies",
        "intercurrent": "Intercurrent event", "strategy": "Strategy", "handling": "How the analysis handles it",
        "st_treatment_policy": "treatment policy", "st_hypothetical": "hypothetical", "st_composite": "composite",
        "st_while_on_treatment": "while on treatment (while alive)", "st_principal_stratum": "principal stratum",
        "s_oc": "Appendix: how these methods behave on trials like this one",
        "oc_intro": "Operating characteristics from simulated trials like this one (up to {n} per scenario; "
                    "the workflow's validation study): each cell is the rejection rate at the 5% level (the type-I error in a "
                    "no-effect scenario, the power otherwise) and, in brackets, the coverage of the 95% confidence "
                    "interval. Targets under no effect: type-I error 4-6%, coverage 93.5-96.5%. The scenarios "
                    "draw trials from models other than the one the analyses assume (caseworkers that differ in "
                    "change over time or by visit, correlation that decays over time, unequal variances, few "
                    "caseworkers, follow-up missing not at random).",
        "oc_outside": "Outside the targets (beyond their Monte Carlo error): {cells}. Conclusions from these "
                      "analyses in such trials should be read as exploratory.",
        "oc_none_outside": "Every pre-specified analysis stays within the targets in every no-effect scenario "
                           "(within its Monte Carlo error).",
        "oc_cell": "{method} in \"{scenario}\" (rejection {rate}%, coverage {cover}%)",
        "oc_cell_rate": "{method} in \"{scenario}\" (rejection {rate}%)", "scenario": "Scenario",
        "m_primary": "Primary", "m_clda": "CLDA", "m_cluster_level": "Cluster-level",
        "m_multiple_imputation": "Multiple imputation", "m_dropout_gee": "Dropout GEE",
        "m_dropout_cox": "Dropout Cox", "m_subgroup_interaction": "Subgroup interaction",
        "m_primary_satterthwaite": "Primary, Satterthwaite df", "m_naive": "Naive (ignores clustering)",
        "e_treatments_blinded": "The two allocated conditions, shown as arms A and B; which is which is hidden in this "
                                "blinded review",
        "e_summary_blinded": "Difference in mean WHO-5 between the arms (A minus B), with its 95% confidence interval",
        "sum_primary": "After {m} months, citizens whose caseworker was allocated to FIT scored on average {est} points {dir} on the "
                       "WHO-5 well-being scale (0-100) than citizens whose caseworker worked as usual (95% confidence "
                       "interval {lo} to {hi}).",
        "higher": "higher", "lower": "lower",
        "sum_unclear": "The interval includes zero (no difference), so the trial shows no clear difference in well-being; "
                       "this is not proof that FIT has no effect.",
        "sum_clear": "The interval does not include zero: the data point to a {dir} score with FIT.",
        "sum_none_secondary": "None of the course outcomes ({list}) shows a clear difference between the arms.",
        "sum_some_secondary": "Among the course outcomes, the data point to a difference in: {list}. The others show no "
                              "clear difference.",
        "sum_not_estimable": "Not estimable from these data: {list}.",
        "prov_date": "Run finished (UTC)", "prov_runtime": "Run time from input check (s)", "prov_commit": "Workflow commit",
        "prov_plan": "Analysis plan SHA-256", "prov_config": "Effective config SHA-256", "prov_seeds": "Seeds",
        "prov_packages": "Key package versions (locked)", "uncommitted": "(with uncommitted changes)",
        "who5_axis": "WHO-5 (0-100), mean and 95% CI", "months_axis": "Months since enrolment",
        "who5_title": "WHO-5 well-being by arm (observed)",
        "days_axis": "Days since enrolment", "cif_axis": "Cumulative incidence of dropout", "at_risk": "Number at risk",
        "cif": "Cumulative incidence of dropout, % (95% CI)", "day": "Day", "arm": "Arm",
        "dropout_note": "Other course ends (completed, evicted, moved, died, other) are competing events: after one of "
                        "them a citizen can no longer drop out. The cumulative incidence (Aalen-Johansen) is the "
                        "probability of having dropped out by the day, with pointwise 95% CIs from the "
                        "caseworker-clustered infinitesimal-jackknife variance. The cause-specific hazard ratio (Cox) "
                        "compares the rate of dropout among citizens still in their course; the Fine-Gray "
                        "subdistribution hazard ratio summarises the difference in the cumulative incidence. Both "
                        "adjusted for "
                        "stratum, caseworker-clustered robust SE, t-test with caseworkers - 1 - strata df.",
        "forest_axis": "{a} - {b}, WHO-5 points at {m} months (95% CI)", "meeting_axis": "Meeting number",
        "median": "median", "iqr": "interquartile range", "cutoff": "cut-off",
        "o_who5": "WHO-5 well-being", "o_dropout": "Dropout", "o_completed": "Course completed with success",
        "o_kept_housing_12m": "Kept own housing (12 months)", "o_eviction_or_risk_12m": "Eviction or risk of eviction",
        "o_stable_income_12m": "Stable income (12 months)",
        "not_estimated": "Not estimated",
        "sum_primary_not": "The primary comparison (WHO-5 at {m} months) could not be estimated from these data: "
                           "{reason}",
        "a_itt": "Primary (mixed model)", "a_itt_binary": "Primary (GEE)",
        "subgroup_note": "Exploratory: the subgroup analyses were pre-specified but the trial was not powered for "
                         "them, and neither the effects within subgroups nor the interaction p-values are adjusted "
                         "for the number of comparisons. An interaction p below 0.05 here is a lead for a future "
                         "trial, not evidence that the effect differs between subgroups. n: citizens with at least one "
                         "follow-up WHO-5 in the subgroup; citizens without baseline WHO-5, sex or age are not in "
                         "the subgroups of that variable, so the levels need not add up to the primary analysis.", "a_clda": "Constrained longitudinal analysis",
        "a_cluster_level": "Cluster-level (unweighted)", "a_cluster_level_weighted": "Cluster-level (weighted)",
        "a_ancova_cr2": "ANCOVA, CR2 cluster-robust", "a_randomisation_test": "Randomisation test",
        "a_multiple_imputation": "Multiple imputation", "a_per_protocol": "Per protocol",
        "a_cace": "Complier average causal effect", "a_time_to_dropout": "Cause-specific hazard ratio (Cox)",
        "a_time_to_dropout_fine_gray": "Subdistribution hazard ratio (Fine-Gray)",
    },
    "da": {
        "title": "Klyngerandomiseret forsøg: rapport", "mc_se": "Monte Carlo-SE",
        "e_variable_default": "WHO-5 trivselsindeks (0-100) {m} måneder efter start",
        "e_summary_default": "Forskel i gennemsnitlig WHO-5 mellem grupperne (FIT minus kontrol) med 95% "
                             "konfidensinterval",
        "oc_not_computed": "Ikke beregnet for dette forsøg. For at se, hvordan analyserne opfører sig i forsøg med "
                           "dette design, kør `snakemake --cores 2 --configfile=<din opsætning> validate` (den "
                           "simulerer forsøg med dette forsøgs strata, medarbejdere, borgere pr. medarbejder, "
                           "varianskomponenter og manglende data, skønnet ud fra disse data), og sæt "
                           "report.operating_characteristics til reports/validation/operating_characteristics.csv.",
        "oc_other_design": "Ikke vist: undersøgelsen i report.operating_characteristics simulerede forsøg med "
                           "{simulated} medarbejdere, og dette forsøg lodtrak {k}. Kør `snakemake --cores 2 "
                           "--configfile=<din opsætning> validate` for at simulere forsøg med dette design.",
        "oc_unknown_design": "Ikke vist: undersøgelsen i report.operating_characteristics oplyser ikke, hvor mange "
                             "medarbejdere den simulerede (ingen kolonne n_caseworkers), så det kan ikke kontrolleres, "
                             "at den har dette forsøgs design. Kør `snakemake --cores 2 --configfile=<din opsætning> "
                             "validate`.",
        "subtitle": "Klyngerandomiseret forsøg: medarbejdere lodtrukket inden for strata til FIT eller vanlig praksis; "
                    "borgerne analyseret efter deres medarbejders tildelte gruppe (intention to treat).",
        "subtitle_pair_matched": "Parvist matchet klyngerandomiseret forsøg: medarbejdere lodtrukket inden for matchede "
                                 "par, én til FIT og én til vanlig praksis; borgerne analyseret efter deres "
                                 "medarbejders tildelte gruppe (intention to treat).",
        "subtitle_unstratified": "Klyngerandomiseret forsøg: medarbejdere lodtrukket til FIT eller vanlig praksis; "
                                 "borgerne analyseret efter deres medarbejders tildelte gruppe (intention to treat).",
        "cs_allocation_pair_matched": "Ifølge randomiseringstabellen: {k} medarbejdere lodtrukket i {n} matchede par, "
                                      "én til hver gruppe i hvert par; analyserne behandler parrene som strata.",
        "cs_allocation_stratified": "Ifølge randomiseringstabellen: {k} medarbejdere lodtrukket inden for {n} strata.",
        "cs_allocation_unstratified": "Ifølge randomiseringstabellen: {k} medarbejdere lodtrukket i ét stratum.",
        "FIT": "FIT", "control": "Kontrol", "A": "A", "B": "B", "total": "I alt",
        "s_summary": "Sammenfatning", "s_flow": "Forløb for medarbejdere og borgere",
        "s_baseline": "Udgangspunkt (baseline)", "s_primary": "Primært effektmål: trivsel (WHO-5)",
        "s_secondary": "Forløbsmål", "s_triangulation": "Stemmer analyserne overens?",
        "s_subgroups": "Undergrupper", "s_dropout": "Tid til frafald", "s_icc": "Korrelation inden for medarbejdere (ICC)",
        "s_practice": "FIT i praksis", "s_missing": "Manglende data", "s_methods": "Metoder",
        "s_plan": "Analyseplan som konfigureret", "s_quality": "Datakvalitet", "s_provenance": "Sporbarhed",
        "characteristic": "Karakteristik", "std_diff": "Standardiseret forskel", "level": "Niveau",
        "month": "Måned", "mean_ci": "Gennemsnit (95% KI)", "difference": "Forskel (95% KI)", "df": "fg", "p": "p",
        "p_holm": "Holm-p", "p_interaction": "Interaktions-p", "outcome": "Effektmål", "events": "Hændelser / n (%)",
        "or": "Odds ratio (95% KI)", "rd": "Risikoforskel pr. 100 (95% KI)", "analysis": "Analyse",
        "estimate_ci": "Estimat (95% KI)", "analysed": "Analyseret", "scale": "Skala", "icc": "ICC (95% KI)",
        "deff": "Designeffekt", "measure": "Mål", "value": "Værdi", "visit": "Måling", "completed": "Udfyldt",
        "predictor": "Forklarende variabel", "method": "Metode", "key": "Indstilling", "check": "Fund",
        "count": "Antal", "table": "Tabel", "input": "Inddata", "file": "Fil",
        "config_file": "Konfiguration", "published_file": "Resultatfil", "hr": "Hazard ratio (95% KI)",
        "baseline_note": "Der vises ingen p-værdier. Medarbejderne blev lodtrukket, men borgerne blev optaget bagefter, "
                         "så forskelle mellem gruppernes borgere kan skyldes både tilfældigheder og forskellig "
                         "rekruttering (se næste afsnit). Standardiserede forskelle over 0,1 i absolut værdi er "
                         "værd at bemærke.",
        "primary_note": "Måned 0: observeret gennemsnit med et 95% KI, der tager højde for klyngning på medarbejder "
                        "(klynge-robust SE, t med medarbejdere - 1 frihedsgrader). Opfølgningsmåneder: marginale "
                        "gennemsnit fra den primære blandede model (strata vægtet ens, WHO-5 ved start sat til "
                        "gennemsnittet). I figuren er gennemsnittet ved start en åben cirkel, og den prikkede linje "
                        "forbinder det med de modelbaserede gennemsnit, som er en anden slags estimat. Det primære "
                        "tidspunkt er {m} måneder. Kilde: tables/primary_outcome.csv.",
        "primary_note_no_baseline": "Marginale gennemsnit fra den primære blandede model ved hver opfølgning (strata "
                                    "vægtet ens); forsøget har ingen måling ved start. Det primære tidspunkt er {m} "
                                    "måneder. Kilde: tables/primary_outcome.csv.",
        "secondary_note": "Odds ratio og risikoforskel fra GEE (hovedanalysen); Holm-p justeret over de {n} "
                          "forløbsmål.",
        "practice_note": "ORS (0-40) ved mødets start og SRS (0-40) ved mødets slutning; median og interkvartilbredde "
                         "efter mødenummer; stiplede linjer: kliniske grænser ORS 25 og SRS 36. Pålidelig ændring: 5 "
                         "ORS-point. Resultater for FIT-gruppen samlet; ingen medarbejder vises.",
        "missing_note": "Odds ratio for manglende WHO-5 efter {m} måneder (GEE, logit, Mancl-DeRouen, t-test).",
        "suppression": "Antal under {k} vises som \"<{k}\"; \"undertrykt\" er et tal, der er skjult, så et tal "
                       "under {k} ikke kan regnes ud af de andre; et interval (fx 554-557) er et antal, der af samme "
                       "grund kun angives omtrent.",
        "agree": "Alle {n} analyser giver en effekt efter {m} måneder mellem {lo} og {hi} point, og alle "
                 "konfidensintervaller indeholder det primære estimat ({est}): analyserne stemmer overens.",
        "disagree": "Analyserne giver effekter efter {m} måneder mellem {lo} og {hi} point; konfidensintervallet for "
                    "{which} indeholder ikke det primære estimat ({est}), så analyserne stemmer ikke helt overens.",
        "tipping": "Vendepunkt (multipel imputation): {text}.",
        "tipping_none": "ingen forskydning af de imputerede værdier i {arm}-gruppen mellem {lo} og {hi} point ændrer "
                        "konklusionen ({before})",
        "tipping_at": "hvis data mangler tilfældigt (MAR), er konklusionen {before}; den bliver {after}, hvis de "
                      "imputerede opfølgningsværdier i {arm}-gruppen er {d} point {dir} end MAR antager",
        "tipping_2d": "Når de imputerede værdier i begge grupper forskydes (figuren nedenfor, "
                      "tables/tipping_point_2d.csv), er de mindste forskydninger, der ændrer konklusionen, {a} point i "
                      "{arm_a}-gruppen og {b} point i {arm_b}-gruppen (så bliver den {after})",
        "tipping_2d_none": "Forskydninger af de imputerede værdier i begge grupper på op til {lo} til {hi} point hver "
                           "(figuren nedenfor, tables/tipping_point_2d.csv) ændrer aldrig konklusionen",
        "c_favours": "en forskel til fordel for {arm}", "c_none": "ingen klar forskel",
        "tip2d_x": "Forskydning af imputerede værdier, {arm} (point)",
        "tip2d_y": "Forskydning af imputerede værdier, {arm} (point)",
        "tip2d_favours": "til fordel for {arm}", "tip2d_none": "ingen klar forskel", "tip2d_mar": "tilfældigt manglende",
        "s_estimand": "Estimand (ICH E9(R1))", "attribute": "Egenskab", "description": "Beskrivelse",
        "e_population": "Population", "e_treatments": "Behandlingsbetingelser", "e_variable": "Variabel (effektmål)",
        "e_summary": "Opsummering på populationsniveau", "e_events": "Interkurrente hændelser og strategier",
        "intercurrent": "Interkurrent hændelse", "strategy": "Strategi", "handling": "Sådan håndteres den i analysen",
        "st_treatment_policy": "uanset hændelsen (treatment policy)", "st_hypothetical": "hypotetisk",
        "st_composite": "sammensat (composite)", "st_while_on_treatment": "så længe borgeren levede (while alive)",
        "st_principal_stratum": "principal stratum",
        "s_oc": "Bilag: sådan opfører metoderne sig i forsøg som dette",
        "oc_intro": "Egenskaber fra simulerede forsøg som dette (op til {n} pr. scenarie; workflowets valideringsstudie): hver "
                    "celle er andelen af forkastelser på 5%-niveau (type I-fejl i et scenarie uden effekt, ellers "
                    "styrken) og i parentes dækningen af 95%-konfidensintervallet. Mål uden effekt: type I-fejl "
                    "4-6%, dækning 93,5-96,5%. Scenarierne trækker forsøg fra andre modeller end den, analyserne "
                    "antager (medarbejdere, der adskiller sig i udvikling over tid eller pr. besøg, korrelation, der "
                    "aftager over tid, ulige varianser, få medarbejdere, opfølgning, der ikke mangler tilfældigt).",
        "oc_outside": "Uden for målene (ud over Monte Carlo-usikkerheden): {cells}. Konklusioner fra disse analyser i "
                      "sådanne forsøg bør læses som eksplorative.",
        "oc_none_outside": "Alle forhåndsspecificerede analyser holder sig inden for målene i alle scenarier uden "
                           "effekt (inden for Monte Carlo-usikkerheden).",
        "oc_cell": "{method} i \"{scenario}\" (forkastelser {rate}%, dækning {cover}%)",
        "oc_cell_rate": "{method} i \"{scenario}\" (forkastelser {rate}%)", "scenario": "Scenarie",
        "m_primary": "Primær", "m_clda": "CLDA", "m_cluster_level": "Klyngeniveau",
        "m_multiple_imputation": "Multipel imputation", "m_dropout_gee": "Frafald, GEE",
        "m_dropout_cox": "Frafald, Cox", "m_subgroup_interaction": "Undergruppe-interaktion",
        "m_primary_satterthwaite": "Primær, Satterthwaite-fg", "m_naive": "Naiv (ignorerer klynger)",
        "e_treatments_blinded": "De to tildelte betingelser, vist som gruppe A og B; hvilken der er hvilken, er skjult i "
                                "denne blindede gennemgang",
        "e_summary_blinded": "Forskel i gennemsnitlig WHO-5 mellem grupperne (A minus B) med 95% konfidensinterval",
        "sum_primary": "Efter {m} måneder scorede borgere, hvis medarbejder var lodtrukket til FIT, i gennemsnit {est} point {dir} på "
                       "trivselsskalaen WHO-5 (0-100) end borgere, hvis medarbejder arbejdede som vanligt "
                       "(95% konfidensinterval {lo} til {hi}).",
        "higher": "højere", "lower": "lavere",
        "sum_unclear": "Intervallet omfatter 0 (altså også muligheden for, at der ingen forskel er), så forsøget viser ingen "
                       "klar forskel i trivsel; det er ikke et bevis for, at FIT er uden effekt.",
        "sum_clear": "Intervallet indeholder ikke nul: data peger på en {dir} score med FIT.",
        "sum_none_secondary": "Ingen af forløbsmålene ({list}) viser en klar forskel mellem grupperne.",
        "sum_some_secondary": "Blandt forløbsmålene peger data på en forskel i: {list}. De øvrige viser ingen klar "
                              "forskel.",
        "sum_not_estimable": "Kan ikke estimeres ud fra disse data: {list}.",
        "prov_date": "Kørsel afsluttet (UTC)", "prov_runtime": "Køretid fra inputkontrol (s)",
        "prov_commit": "Programversion (commit)", "prov_plan": "Analyseplan SHA-256", "prov_config": "Konfiguration SHA-256",
        "prov_seeds": "Startværdier for tilfældige tal (seeds)", "prov_packages": "Centrale pakkeversioner (låst)", "uncommitted": "(med ændringer)",
        "who5_axis": "WHO-5 (0-100), gennemsnit og 95% KI", "months_axis": "Måneder siden start",
        "who5_title": "Trivsel (WHO-5) efter gruppe (observeret)",
        "days_axis": "Dage siden start", "cif_axis": "Kumuleret incidens af frafald", "at_risk": "Antal i risiko",
        "cif": "Kumuleret incidens af frafald, % (95% KI)", "day": "Dag", "arm": "Gruppe",
        "dropout_note": "Andre afslutninger af forløbet (gennemført, udsat, flyttet, død, andet) er konkurrerende "
                        "hændelser: derefter kan borgeren ikke længere falde fra. Den kumulerede incidens "
                        "(Aalen-Johansen) er sandsynligheden for at være faldet fra inden dagen, med punktvise 95% KI "
                        "fra den klyngevise (medarbejder) infinitesimal-jackknife-varians. Den årsagsspecifikke hazard "
                        "ratio (Cox) sammenligner raten af frafald blandt borgere, der stadig er i forløb; "
                        "Fine-Gray-modellens subdistributions-hazard ratio opsummerer forskellen i den kumulerede "
                        "incidens. "
                        "Begge justeret for stratum, klynge-robust SE, t-test med medarbejdere - 1 - strata "
                        "frihedsgrader.",
        "forest_axis": "{a} - {b}, WHO-5-point efter {m} måneder (95% KI)", "meeting_axis": "Mødenummer",
        "median": "median", "iqr": "interkvartilbredde", "cutoff": "grænse",
        "o_who5": "Trivsel (WHO-5)", "o_dropout": "Frafald", "o_completed": "Forløb afsluttet med succes",
        "o_kept_housing_12m": "Opretholdt egen bolig (12 måneder)", "o_eviction_or_risk_12m": "Udsættelse eller risiko",
        "o_stable_income_12m": "Stabilt forsørgelsesgrundlag (12 måneder)",
        "not_estimated": "Ikke estimeret",
        "sum_primary_not": "Den primære sammenligning (WHO-5 efter {m} måneder) kan ikke estimeres ud fra disse data: "
                           "{reason}",
        "a_itt": "Primær (blandet model)", "a_itt_binary": "Primær (GEE)",
        "subgroup_note": "Eksplorativt: undergruppeanalyserne var planlagt på forhånd, men forsøget var ikke "
                         "dimensioneret til dem, og hverken effekterne i undergrupperne eller interaktions-p-"
                         "værdierne er justeret for antallet af sammenligninger. En interaktions-p under 0,05 her "
                         "er et spor for et fremtidigt forsøg, ikke belæg for, at effekten er forskellig i "
                         "undergrupperne. n: borgere med mindst én WHO-5 ved opfølgning i undergruppen; borgere uden WHO-5 "
                         "ved start, køn eller alder indgår ikke i den variabels undergrupper, så tallene summerer "
                         "ikke nødvendigvis til den primære analyse.", "a_clda": "Begrænset longitudinel analyse (cLDA)",
        "a_cluster_level": "Klyngeniveau (uvægtet)", "a_cluster_level_weighted": "Klyngeniveau (vægtet)",
        "a_ancova_cr2": "ANCOVA, CR2 klynge-robust", "a_randomisation_test": "Randomiseringstest",
        "a_multiple_imputation": "Multipel imputation", "a_per_protocol": "Per protokol",
        "a_cace": "Effekt blandt efterlevere (CACE)", "a_time_to_dropout": "Årsagsspecifik hazard ratio (Cox)",
        "a_time_to_dropout_fine_gray": "Subdistributions-hazard ratio (Fine-Gray)",
    },
}


# Blinded review: sentences that would name the arms are worded with A and B.
BLINDED = {
    "en": {"sum_primary": "After {m} months, citizens in arm A scored on average {est} points {dir} on the WHO-5 "
                          "well-being scale (0-100) than citizens in arm B (95% confidence interval {lo} to {hi}).",
           "sum_clear": "The interval does not include zero: the data point to a {dir} score in arm A.",
           "sum_unclear": "The interval includes zero (no difference), so the trial shows no clear difference in "
                          "well-being between the arms; this is not proof that the arms do not differ.",
           "subtitle": "Cluster-randomised trial, blinded review: the arms are shown as A and B."},
    "da": {"sum_primary": "Efter {m} måneder scorede borgere i gruppe A i gennemsnit {est} point {dir} på "
                          "trivselsskalaen WHO-5 (0-100) end borgere i gruppe B (95% konfidensinterval {lo} til {hi}).",
           "sum_clear": "Intervallet indeholder ikke nul: data peger på en {dir} score i gruppe A.",
           "sum_unclear": "Intervallet omfatter 0 (altså også muligheden for, at der ingen forskel er), så forsøget "
                          "viser ingen klar forskel i trivsel mellem grupperne; det er ikke et bevis for, at grupperne ikke adskiller sig.",
           "subtitle": "Klyngerandomiseret forsøg, blindet gennemgang: grupperne vises som A og B."},
}


# Recruitment after randomisation (fittrial.analyses.recruitment): the subsection under the baseline table.
TEXT["en"].update({
    "rc_title": "Recruitment after randomisation", "rc_comparison": "Comparison", "rc_to": "to",
    "rc_caseworkers": "Caseworkers randomised", "rc_citizens": "Citizens recruited",
    "rc_per_cw_mean": "Citizens per caseworker: mean",
    "rc_per_cw_median": "Citizens per caseworker: median (quartiles)",
    "rc_per_cw_range": "Citizens per caseworker: smallest to largest",
    "rc_days": "Days from the caseworker's randomisation to enrolment: median (quartiles)",
    "rc_baseline_n": "Citizens with a baseline WHO-5", "rc_baseline_mean": "Baseline WHO-5: mean (SD)",
    "rc_size_diff": "Citizens per caseworker, {a} - {b} (stratum-adjusted; randomisation test)",
    "rc_base_diff": "Baseline WHO-5, {a} - {b}, points (mixed model)",
    "rc_base_std": "Baseline WHO-5, standardised difference (difference / pooled SD)",
    "rc_ci_not_attainable": "95% CI not attainable with so few possible allocations",
    "rc_note": "The caseworkers recruited their citizens after they knew their arm (CONSORT cluster extension, item "
               "10c), so the arms may differ in whom they recruited. Citizens per caseworker include caseworkers who "
               "recruited no one; quartiles by linear interpolation; no caseworker is shown. Citizens per caseworker "
               "are compared by a randomisation test (caseworkers re-randomised within strata as the trial did; "
               "confidence interval by test inversion); baseline WHO-5 by a linear mixed model with stratum and a "
               "random intercept for caseworker (SE and df as in the primary model); the standardised difference "
               "and its confidence interval are the difference and its interval divided by the pooled SD. Full "
               "methods: the Methods section and tables/recruitment.csv.",
    "rc_note_no_baseline": "The caseworkers recruited their citizens after they knew their arm (CONSORT cluster "
                           "extension, item 10c), so the arms may differ in whom they recruited. Citizens per "
                           "caseworker include caseworkers who recruited no one; quartiles by linear interpolation; "
                           "no caseworker is shown. Citizens per caseworker are compared by a randomisation test "
                           "(caseworkers re-randomised within strata as the trial did; confidence interval by test "
                           "inversion). The trial has no baseline measure to compare. Full methods: the Methods section "
                           "and tables/recruitment.csv.",
    "rc_arm_FIT": "the FIT arm", "rc_arm_control": "the control arm", "rc_more": "more", "rc_fewer": "fewer",
    "rc_and": " and ",
    "rc_evidence": "There is evidence of differential recruitment: {what}. The effect estimates may be biased by whom "
                   "the caseworkers recruited; the primary analysis adjusts for baseline WHO-5, but not for "
                   "differences that were not measured.",
    "rc_evidence_no_baseline": "There is evidence of differential recruitment: {what}. The effect estimates may be "
                               "biased by whom the caseworkers recruited; the trial has no baseline measure to adjust "
                               "for.",
    "rc_found_size": "caseworkers in {fa} recruited on average {est} {dir} citizens each than caseworkers in {ca} "
                     "({p})",
    "rc_found_base": "baseline WHO-5 was {dir} in {fa} than in {ca} (standardised difference {est}, 95% CI {ci})",
    "rc_no_evidence": "These data show no clear evidence of differential recruitment: {what}. This is not evidence "
                      "that recruitment was the same in both arms: with this number of caseworkers the comparisons "
                      "can miss a real difference, and differences in characteristics that were not measured cannot "
                      "be ruled out.",
    "rc_size_part": "the number of citizens recruited per caseworker does not differ clearly between the arms ({p})",
    "rc_base_part": "baseline WHO-5 does not differ clearly (standardised difference {est}, 95% CI {ci})",
    "rc_missing_size": "The number of citizens per caseworker could not be compared: {reason}",
    "rc_missing_base": "Baseline WHO-5 could not be compared: {reason}",
    "rc_cannot": "Whether recruitment differed between the arms cannot be assessed from these data.",
    "rc_size_outcome": "Citizens recruited per caseworker", "rc_base_outcome": "Baseline WHO-5",
})
TEXT["da"].update({
    "rc_title": "Rekruttering efter lodtrækningen", "rc_comparison": "Sammenligning", "rc_to": "til",
    "rc_caseworkers": "Medarbejdere lodtrukket", "rc_citizens": "Borgere rekrutteret",
    "rc_per_cw_mean": "Borgere pr. medarbejder: gennemsnit",
    "rc_per_cw_median": "Borgere pr. medarbejder: median (kvartiler)",
    "rc_per_cw_range": "Borgere pr. medarbejder: mindste til største",
    "rc_days": "Dage fra medarbejderens lodtrækning til borgerens start: median (kvartiler)",
    "rc_baseline_n": "Borgere med WHO-5 ved start", "rc_baseline_mean": "WHO-5 ved start: gennemsnit (SD)",
    "rc_size_diff": "Borgere pr. medarbejder, {a} - {b} (justeret for stratum; randomiseringstest)",
    "rc_base_diff": "WHO-5 ved start, {a} - {b}, point (blandet model)",
    "rc_base_std": "WHO-5 ved start, standardiseret forskel (forskel / samlet SD)",
    "rc_ci_not_attainable": "95% KI kan ikke opnås med så få mulige lodtrækninger",
    "rc_note": "Medarbejderne rekrutterede deres borgere, efter at de kendte deres gruppe (CONSORT-udvidelsen for "
               "klyngeforsøg, punkt 10c), så grupperne kan adskille sig i, hvem de rekrutterede. Borgere pr. "
               "medarbejder omfatter medarbejdere, der ikke rekrutterede nogen; kvartiler ved lineær interpolation; "
               "ingen medarbejder vises. Borgere pr. medarbejder sammenlignes med en randomiseringstest "
               "(medarbejderne lodtrukket igen inden for strata som i forsøget; konfidensinterval ved testinversion); "
               "WHO-5 ved start med en lineær blandet model med stratum og tilfældigt intercept for medarbejder (SE og "
               "frihedsgrader som i den primære model); den standardiserede forskel og dens konfidensinterval er "
               "forskellen og dens interval divideret med den samlede SD. Metoderne i detaljer: metodeafsnittet og "
               "tables/recruitment.csv.",
    "rc_note_no_baseline": "Medarbejderne rekrutterede deres borgere, efter at de kendte deres gruppe "
                           "(CONSORT-udvidelsen for klyngeforsøg, punkt 10c), så grupperne kan adskille sig i, hvem de "
                           "rekrutterede. Borgere pr. medarbejder omfatter medarbejdere, der ikke rekrutterede nogen; "
                           "kvartiler ved lineær interpolation; ingen medarbejder vises. Borgere pr. medarbejder "
                           "sammenlignes med en randomiseringstest (medarbejderne lodtrukket igen inden for strata som "
                           "i forsøget; konfidensinterval ved testinversion). Forsøget har ingen måling ved start at "
                           "sammenligne. Metoderne i detaljer: metodeafsnittet og tables/recruitment.csv.",
    "rc_arm_FIT": "FIT-gruppen", "rc_arm_control": "kontrolgruppen", "rc_more": "flere", "rc_fewer": "færre",
    "rc_and": " og ",
    "rc_evidence": "Der er tegn på forskellig rekruttering: {what}. Effektestimaterne kan være skævvredet af, hvem "
                   "medarbejderne rekrutterede; den primære analyse justerer for WHO-5 ved start, men ikke for "
                   "forskelle, der ikke er målt.",
    "rc_evidence_no_baseline": "Der er tegn på forskellig rekruttering: {what}. Effektestimaterne kan være "
                               "skævvredet af, hvem medarbejderne rekrutterede; forsøget har ingen måling ved start at "
                               "justere for.",
    "rc_found_size": "medarbejderne i {fa} rekrutterede i gennemsnit {est} {dir} borgere hver end medarbejderne i "
                     "{ca} ({p})",
    "rc_found_base": "WHO-5 ved start var {dir} i {fa} end i {ca} (standardiseret forskel {est}, 95% KI {ci})",
    "rc_no_evidence": "Disse data viser ingen klare tegn på forskellig rekruttering: {what}. Det er ikke et bevis for, "
                      "at rekrutteringen var ens i de to grupper: med dette antal medarbejdere kan sammenligningerne "
                      "overse en reel forskel, og forskelle i forhold, der ikke er målt, kan ikke udelukkes.",
    "rc_size_part": "antallet af rekrutterede borgere pr. medarbejder adskiller sig ikke klart mellem grupperne ({p})",
    "rc_base_part": "WHO-5 ved start adskiller sig ikke klart (standardiseret forskel {est}, 95% KI {ci})",
    "rc_missing_size": "Antallet af borgere pr. medarbejder kunne ikke sammenlignes: {reason}",
    "rc_missing_base": "WHO-5 ved start kunne ikke sammenlignes: {reason}",
    "rc_cannot": "Om rekrutteringen var forskellig i de to grupper, kan ikke vurderes ud fra disse data.",
    "rc_size_outcome": "Borgere rekrutteret pr. medarbejder", "rc_base_outcome": "WHO-5 ved start",
})
BLINDED["en"].update({"rc_arm_FIT": "arm A", "rc_arm_control": "arm B"})
BLINDED["da"].update({"rc_arm_FIT": "gruppe A", "rc_arm_control": "gruppe B"})

from fittrial.language.texts import ALL as _MORE, BLINDED as _MORE_BLINDED  # noqa: E402  (flow diagram, CONSORT, yardsticks)

for _texts in _MORE:
    for _lang in LANGUAGES:
        TEXT[_lang].update(_texts[_lang])
for _lang in LANGUAGES:
    BLINDED[_lang].update(_MORE_BLINDED[_lang])


class Translator:
    """Labels and numbers in one language."""

    def __init__(self, language: str = "en", blinded: bool = False, primary_visit: int = 12,
                 words: dict | None = None):
        """``words``: the config's ``units``, ``arms`` and ``outcome`` (the trial's own words; see
        :func:`fittrial.base.catalogue.vocabulary`), put in the place of the FIT trial's in every text."""
        from fittrial.base.catalogue import vocabulary

        if language not in LANGUAGES:
            raise ValueError(f"report.language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        self.language = language
        self.primary_visit = int(primary_visit)
        self.text = dict(TEXT[language])
        if blinded:
            self.text.update(BLINDED[language])
        self.decimal = "," if language == "da" else "."
        self.words = dict(words or {})
        self.vocabulary = vocabulary(self.words, language)

    def __call__(self, key: str, **values: object) -> str:
        text = self.text.get(key, TEXT["en"].get(key, key))
        if "{m}" in text:  # the primary visit, in months
            values = {"m": self.primary_visit, **values}
        return self.vocabulary.localise(text.format(**values) if values else text)

    def outcome(self, name: str) -> str:
        """An outcome's label: the config's (``binary_outcomes``) where it gives one, else the report's own."""
        outcome = self.words.get("outcome") or {}
        if name == "who5" and outcome.get("name"):  # the trial's own primary outcome
            from fittrial.base.catalogue import _texts

            return _texts(outcome["name"]).get(self.language) or _texts(outcome["name"]).get("en", name)
        for entry in self.words.get("binary_outcomes") or []:
            if entry.get("name") == name and entry.get("label"):
                label = entry["label"]
                return str(label.get(self.language) or label.get("en") or name) if isinstance(label, dict) \
                    else str(label)
        return self(f"o_{name}") if f"o_{name}" in self.text or f"o_{name}" in TEXT["en"] else name

    def arm_names(self) -> dict[str, str]:
        """The arms' names as table headers: the config's ``arms`` (capitalised), else the report's FIT and Control."""
        from fittrial.base.catalogue import _texts

        arms = self.words.get("arms") or {}
        names = {"FIT": self("FIT"), "control": self("control")}
        for key, role in (("FIT", "intervention"), ("control", "control")):
            given = _texts(arms.get(role)).get(self.language)
            if given:
                names[key] = given[:1].upper() + given[1:]
        return names

    def cutoff(self, key: str) -> str:
        """The label of a cut-off of the primary outcome (config ``outcome.cutoffs``), in the report's language."""
        cutoffs = (self.words.get("outcome") or {}).get("cutoffs") or []
        k = int(key.rsplit("_", 1)[1]) - 1 if key.startswith("cutoff_") else -1
        if 0 <= k < len(cutoffs):
            label = cutoffs[k].get("label")
            return str(label.get(self.language) or label.get("en") or key) if isinstance(label, dict) else str(label)
        return key

    def matched_pairs(self) -> None:
        """The strata are matched pairs: every text says "pair" where it says "stratum" of the analysis."""
        from fittrial.base.catalogue import vocabulary

        self.vocabulary = vocabulary(self.words, self.language, pairs_design=True)

    def localise(self, text: object) -> object:
        """A text written with the FIT trial's words (a reason, a method, a table label) in the trial's own."""
        return self.vocabulary.localise(text)

    def num(self, x: object, digits: int = 2) -> str:
        try:
            v = float(x)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(x)
        if math.isnan(v):
            return ""
        text = f"{v:.{digits}f}"
        return text.replace(".", ",") if self.decimal == "," else text

    def count(self, x: object) -> str:
        """A published count with a thousands separator (1,146; Danish 1.146); text such as "<5" or a range
        "810-814" passes through, "suppressed" in the report language."""
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return ""
        text = str(x).strip()
        if text.lstrip("-").isdigit() or (isinstance(x, float) and float(x).is_integer()):
            text = f"{int(float(x)):,}"
            return text.replace(",", ".") if self.decimal == "," else text
        if text == "suppressed":
            return "undertrykt" if self.language == "da" else text
        parts = text.split("-")
        if len(parts) == 2 and all(p.isdigit() for p in parts):  # a range: both ends formatted, an en dash
            return "\u2013".join(self.count(int(p)) for p in parts)
        return text

    def p(self, p: object) -> str:
        try:
            v = float(p)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return ""
        if math.isnan(v):
            return ""
        return ("<0,001" if self.decimal == "," else "<0.001") if v < 0.001 else self.num(v, 3)

    def ci(self, lo: object, hi: object, digits: int = 2) -> str:
        a, b = self.num(lo, digits), self.num(hi, digits)
        if not a:
            return ""
        return f"{a} {'til' if self.language == 'da' else 'to'} {b}"

    def label(self, text: str) -> str:
        """A table's row label in the report language (with decimal commas in Danish) and the trial's words."""
        if self.language != "da":
            return self.vocabulary.localise(text)
        import re

        text = self.text_numbers(danish_label(text))
        # counts of thousands in "n af N" with the Danish thousands separator
        return self.vocabulary.localise(re.sub(r"\b(\d{4,})(?= af )|(?<= af )(\d{4,})\b",
                                               lambda m: f"{int(m.group(0)):,}".replace(",", "."), text))

    def text_numbers(self, text: str) -> str:
        """Turn decimal points between digits into commas (for Danish free text from tables)."""
        if self.decimal != ",":
            return text
        import re

        return re.sub(r"(?<=\d)\.(?=\d)", ",", text)


# what the configured small-sample rules are called in the Danish method texts
DA_LMM_DF = {"kenward_roger": "Kenward-Roger-justeret SE og frihedsgrader, højst medarbejdere minus parametre på "
                              "klyngeniveau",
             "satterthwaite": "Satterthwaite-frihedsgrader",
             "between_within": "frihedsgrader = medarbejdere minus parametre på klyngeniveau (between-within)"}
DA_GEE_COV = {"mancl_derouen": "Mancl-DeRouen", "kauermann_carroll": "Kauermann-Carroll",
              "robust": "uden småprøvekorrektion"}


def da_configured(text: str, lmm_df: str, gee_covariance: str) -> str:
    """A Danish method text with the configured df rule and GEE covariance instead of 'eller som konfigureret'."""
    text = text.replace("Kenward-Roger-justeret SE og frihedsgrader, højst medarbejdere minus parametre på "
                        "klyngeniveau (eller som konfigureret)", DA_LMM_DF.get(lmm_df, lmm_df))
    text = text.replace("(Kenward-Roger, højst medarbejdere minus parametre på klyngeniveau, eller som "
                        "konfigureret)", f"({DA_LMM_DF.get(lmm_df, lmm_df)})")
    return text.replace("(Mancl-DeRouen, eller som konfigureret)",
                        f"({DA_GEE_COV.get(gee_covariance, gee_covariance)})")


# Danish wording of the row labels that the tables carry in English (regex, replacement), applied in order.
DA_LABELS: list[tuple[str, str]] = [
    (r"^Caseworkers, n$", "Medarbejdere, n"),
    (r"^Citizens per caseworker: mean \(range\)$", "Borgere pr. medarbejder: gennemsnit (spændvidde)"),
    (r"^Caseworkers in stratum (.+), n$", r"Medarbejdere i stratum \1, n"),
    (r"^Matched pairs, n$", "Matchede par, n"),
    (r"^Citizens, n$", "Borgere, n"),
    (r"^Age, years: mean \(SD\)$", "Alder, år: gennemsnit (SD)"),
    (r"^Women, n \(%\)$", "Kvinder, n (%)"),
    (r"^Sex not recorded, n \(%\)$", "Køn ikke registreret, n (%)"),
    (r"^Age not recorded, n \(%\)$", "Alder ikke registreret, n (%)"),
    (r"^Stratum (.+), n \(%\)$", r"Stratum \1, n (%)"),
    (r"^Baseline WHO-5: mean \(SD\)$", "WHO-5 ved start: gennemsnit (SD)"),
    (r"^Baseline WHO-5 <= 50, n \(%\)$", "WHO-5 ved start 50 eller derunder, n (%)"),
    (r"^Baseline WHO-5 missing, n \(%\)$", "WHO-5 ved start mangler, n (%)"),
    (r"^caseworker$", "medarbejder"), (r"^citizen$", "borger"),
    (r"^FIT citizens$", "FIT-borgere"),
    (r"^FIT citizens with at least one meeting with ORS/SRS$", "FIT-borgere med mindst ét møde med ORS/SRS"),
    (r"^Meetings per FIT citizen: median \(quartiles\)$", "Møder pr. FIT-borger: median (kvartiler)"),
    (r"^Meetings per FIT citizen: mean$", "Møder pr. FIT-borger: gennemsnit"),
    (r"^Reliably improved \(last - first ORS >= \+5\), citizens with >= 2 ORS$",
     "Pålideligt forbedret (sidste minus første ORS mindst +5), borgere med mindst 2 ORS"),
    (r"^Reliably deteriorated \(last - first ORS <= -5\), citizens with >= 2 ORS$",
     "Pålideligt forværret (sidste minus første ORS højst -5), borgere med mindst 2 ORS"),
    (r"^First ORS below the clinical cut-off 25, citizens with >= 2 ORS$",
     "Første ORS under den kliniske grænse 25, borgere med mindst 2 ORS"),
    (r"^Meetings with SRS below the cut-off 36$", "Møder med SRS under grænsen 36"),
    (r"\bof\b", "af"),
    (r"(?<=\d) to (?=-?\d)", " til "),
    (r"^FIT arm$", "FIT-gruppen"), (r"^arm A$", "gruppe A"),
    (r"^baseline WHO-5 \(per 10 points\)$", "WHO-5 ved start (pr. 10 point)"),
    (r"^baseline WHO-5 missing$", "WHO-5 ved start mangler"),
    (r"^age \(per 10 years\)$", "alder (pr. 10 år)"), (r"^women$", "kvinder"), (r"^sex unknown$", "køn ukendt"),
    (r"^stratum (.+)$", r"stratum \1"),
    (r"^WHO-5 form outside every visit window \(not used\)$", "WHO-5-skema uden for alle målevinduer (ikke brugt)"),
    (r"^WHO-5 form with (\d+) missing item\(s\), scored missing$", r"WHO-5-skema med \1 manglende spørgsmål, scoret som manglende"),
    (r"^WHO-5 form with no items answered \(visit missing\)$", "WHO-5-skema uden svar (måling mangler)"),
    (r"^more than one WHO-5 form for a visit; the one nearest the target day was used$",
     "mere end ét WHO-5-skema til en måling; skemaet nærmest måldagen blev brugt"),
    (r"^enrolled before the caseworker was randomised$", "startet før medarbejderens lodtrækning"),
    (r"^caseworker with no citizens \(empty cluster\)$", "medarbejder uden borgere (tom klynge)"),
    (r"^ended without an end reason \(dropout and completion set missing\)$",
     "afsluttet uden årsag (frafald og gennemførelse sat til manglende)"),
    (r"^no course end recorded for any citizen \(ended_on and end_reason empty\): dropout, completion and time to "
     r"dropout not recorded$", "ingen forløbsafslutning registreret for nogen borger (ended_on og end_reason tomme): "
     "frafald, gennemførelse og tid til frafald ikke registreret"),
    (r"^course open with follow-up shorter than the outcome window \(dropout and completion missing\)$",
     "forløb åbent med kortere opfølgning end udfaldsvinduet (frafald og gennemførelse mangler)"),
    (r"^FIT session recorded in the control arm \(possible contamination\)$",
     "FIT-møde registreret i kontrolgruppen (mulig kontaminering)"),
    (r"^FIT session with a caseworker other than the citizen's$", "FIT-møde med en anden medarbejder end borgerens"),
    (r"^observed$", "observeret"), (r"^latent$", "latent"),
    (r"^Caseworkers randomised \(clusters\)$", "Medarbejdere lodtrukket (klynger)"),
    (r"^Caseworkers by stratum$", "Medarbejdere pr. stratum"), (r"^Citizens enrolled$", "Borgere inkluderet"),
    (r"^WHO-5 at (\d+) months$", r"WHO-5 efter \1 måneder"),
    (r"^WHO-5 at baseline$", "WHO-5 ved start"),
    (r"^Excluded from the primary analysis: no follow-up WHO-5$", "Udeladt af den primære analyse: ingen opfølgning"),
    (r"^Analysed, primary \(WHO-5, mixed model\)$", "Analyseret, primær (WHO-5, blandet model)"),
    (r"^Analysed, dropout \(outcome recorded\)$", "Analyseret, frafald (udfald registreret)"),
    (r"^Analysed, completed \(outcome recorded\)$", "Analyseret, afsluttet med succes (udfald registreret)"),
    (r"^Analysed, kept_housing_12m \(outcome recorded\)$", "Analyseret, egen bolig 12 mdr. (udfald registreret)"),
    (r"^Analysed, eviction_or_risk_12m \(outcome recorded\)$",
     "Analyseret, udsættelse eller risiko (udfald registreret)"),
    (r"^Analysed, stable_income_12m \(outcome recorded\)$",
     "Analyseret, stabilt forsørgelsesgrundlag 12 mdr. (udfald registreret)"),
    (r"^Analysed, (.+) \(outcome recorded\)$", r"Analyseret, \1 (udfald registreret)"),
]

DA_METHODS = {
    "itt": "Lineær blandet model (REML) med tilfældige intercepter for medarbejder, medarbejder x besøg og borger, "
           "justeret for WHO-5 ved start (manglende: gennemsnit + indikator) og stratum; t-test med Kenward-Roger-"
           "justeret SE og frihedsgrader, højst medarbejdere minus parametre på klyngeniveau (eller som "
           "konfigureret); borgere med mindst én opfølgning; manglende opfølgning antages tilfældigt manglende (MAR).",
    "itt_binary": "GEE, logit-link, udskiftelig korrelation inden for medarbejder, justeret for stratum; "
                  "bias-reduceret sandwich-kovarians (Mancl-DeRouen, eller som konfigureret); t-test med "
                  "medarbejdere minus parametre som frihedsgrader; borgere med registreret udfald.",
    "clda": "Begrænset longitudinel analyse: WHO-5 ved alle besøg som udfald, samme udgangsniveau i begge "
            "grupper; tilfældige intercepter for medarbejder, medarbejder x besøg og borger; alle observerede målinger "
            "(MAR).",
    "cluster_level": "To-trins analyse på klyngeniveau: residualer fra en model uden gruppe, gennemsnit pr. "
                     "medarbejder sammenlignet mellem grupperne (uvægtet); t-test med medarbejdere - 1 - strata "
                     "frihedsgrader.",
    "cluster_level_weighted": "Som klyngeniveau-analysen, men vægtet med antal borgere pr. medarbejder.",
    "ancova_cr2": "ANCOVA på komplette data efter {m} måneder (OLS) med CR2 klynge-robust kovarians og "
                  "Bell-McCaffrey-frihedsgrader.",
    "randomisation_test": "Randomiseringstest: medarbejdere lodtrukket igen inden for strata; p-værdi fra "
                          "lodtrækningsfordelingen; konfidensinterval ved testinversion.",
    "multiple_imputation": "Multipel imputation fra en fælles normalfordelingsmodel på to niveauer (som jomo1rancon: "
                           "ustruktureret kovarians over besøg for medarbejder og borger; gruppe, stratum og "
                           "hjælpevariable som alder, køn og forløbsudfald), primær model på hvert "
                           "datasæt, Rubins regler med Barnard-Rubin-frihedsgrader; vendepunktsanalyse.",
    "per_protocol": "Per protokol: den primære model på kontrolborgere og FIT-borgere med tilstrækkeligt mange møder "
                    "med ORS/SRS (ikke beskyttet af randomiseringen).",
    "cace": "Effekt blandt efterlevere: 2SLS med lodtrækningen som instrument for efterlevelse; klynge-robust "
            "kovarians (linearmodels).",
    "time_to_dropout": "Årsagsspecifik hazard ratio for frafald: Cox-model for tid til frafald (Breslow), justeret "
                       "for stratum; klynge-robust kovarians; t-test med medarbejdere - 1 - strata frihedsgrader; "
                       "andre afslutninger censureret på deres dato.",
    "time_to_dropout_fine_gray": "Fine-Gray subdistributions-hazard ratio for frafald: borgere med en anden "
                                 "afslutning (konkurrerende hændelse) forbliver i risikomængden med invers "
                                 "sandsynligheds-for-censurering-vægte (som survival::finegray), Breslow; justeret for "
                                 "stratum; klynge-robust kovarians; t-test med medarbejdere - 1 - strata "
                                 "frihedsgrader.",
    "subgroup": "Den primære model med interaktion mellem gruppe, undergruppe og måling; interaktionstest med "
                "Satterthwaite-frihedsgrader (F-test).",
}


def danish_label(text: str) -> str:
    """Danish wording of a table's English row label (unknown labels are returned unchanged)."""
    import re

    for pattern, replacement in DA_LABELS:
        new = re.sub(pattern, replacement, text)
        if new != text and pattern.startswith("^"):
            return new
        text = new
    return text


# Danish wording of the most common not-estimated reasons (regex, replacement), tried in order; a reason that
# matches none is shown as written (English), as in tables/effects.csv.
DA_REASONS = [
    (r"^No WHO-5 at (\d+) months in the (FIT|control) arm", r"Ingen WHO-5 efter \1 måneder i \2-armen"),
    (r"^No WHO-5 at (\d+) months in the data", r"Ingen WHO-5 efter \1 måneder i data"),
    (r"no WHO-5 at (\d+) months in the (FIT|control) arm", r"ingen WHO-5 efter \1 måneder i \2-armen"),
    (r"^No WHO-5 at (\d+) months in arm (A|B)", r"Ingen WHO-5 efter \1 måneder i gruppe \2"),
    (r"no WHO-5 at (\d+) months in arm (A|B)", r"ingen WHO-5 efter \1 måneder i gruppe \2"),
    (r"^No dropout events in arm (A|B), so the hazard ratio is 0 or infinite",
     r"Intet frafald i gruppe \1, så hazard ratio er 0 eller uendelig"),
    (r"^No dropout events in arm (A|B), so the subdistribution hazard ratio is 0 or infinite",
     r"Intet frafald i gruppe \1, så subdistributions-hazard ratio er 0 eller uendelig"),
    (r"^No dropout events in the (FIT|control) arm, so the subdistribution hazard ratio is 0 or infinite",
     r"Intet frafald i \1-armen, så subdistributions-hazard ratio er 0 eller uendelig"),
    (r"^The (Cox|Fine-Gray) model did not converge \(the arm's coefficient may be infinite\)",
     r"\1-modellen konvergerede ikke (armens koefficient kan være uendelig)"),
    (r"^No dropout events in either arm", "Intet frafald i nogen af armene"),
    (r"^The primary model is not estimable: ", "Den primære model kan ikke estimeres: "),
    (r"^No dropout events in the (FIT|control) arm, so the hazard ratio is 0 or infinite",
     r"Intet frafald i \1-armen, så hazard ratio er 0 eller uendelig"),
    (r"^No FIT sessions supplied \(inputs\.fit_sessions is empty\), so adherence is unknown",
     "Ingen FIT-sessioner leveret (inputs.fit_sessions er tom), så adhærens er ukendt"),
    (r"^The outcome (\w+) is not recorded for any citizen", r"Udfaldet \1 er ikke registreret for nogen borger"),
    (r"^The outcome (\w+) is (\d) for every analysed citizen in both arms, so there is nothing to compare",
     r"Udfaldet \1 er \2 for alle analyserede borgere i begge arme, så der er intet at sammenligne"),
    (r"^The outcome (\w+) is (\d) for every analysed (FIT|control) citizen, so the odds ratio is 0 or infinite "
     r"\(complete separation\)",
     r"Udfaldet \1 er \2 for alle analyserede borgere i \3-armen, så odds ratio er 0 eller uendelig "
     "(fuldstændig separation)"),
    (r"^(In this subgroup, )?[Oo]nly (\d+) caseworker in the (FIT|control) arm has (.+); an arm comparison needs at "
     r"least 2 caseworkers per arm", r"Kun \2 medarbejder i \3-armen har data; en sammenligning af armene kræver "
     "mindst 2 medarbejdere i hver arm"),
    (r"^Sex is not recorded for any citizen with follow-up WHO-5", "Køn er ikke registreret for nogen borger med "
     "opfølgende WHO-5"),
    (r"^Age is not recorded for any citizen with follow-up WHO-5", "Alder er ikke registreret for nogen borger "
     "med opfølgende WHO-5"),
    (r"^The visit schedule has no baseline \(visit 0\)", "Besøgsplanen har ingen baseline (besøg 0)"),
    (r"^No baseline WHO-5 in the data", "Ingen WHO-5 ved baseline i data"),
]


# Recruitment after randomisation (fittrial.analyses.recruitment): Danish methods and reasons
DA_METHODS.update({
    "recruitment_size": "Randomiseringstest af forskellig rekruttering: forskellen i gennemsnitligt antal borgere pr. "
                        "lodtrukket medarbejder mellem grupperne, justeret for stratum (medarbejdere uden borgere "
                        "tæller som 0); medarbejderne lodtrukket igen inden for strata som i forsøget (alle mulige "
                        "fordelinger, når de er få); tosidet p-værdi fra lodtrækningsfordelingen; 95% "
                        "konfidensinterval ved testinversion under en konstant additiv forskel.",
    "recruitment_baseline": "Lineær blandet model (REML) af WHO-5 ved start på gruppe og stratum med tilfældigt "
                            "intercept for medarbejder; borgere med WHO-5 ved start; SE og frihedsgrader som i den "
                            "primære model (Kenward-Roger, højst medarbejdere minus parametre på klyngeniveau, "
                            "eller som konfigureret); 95% KI og p fra t-fordelingen. Standardiseret forskel = "
                            "forskellen / samlet SD, samlet SD = kvadratroden af gennemsnittet af de to gruppers "
                            "varianser; dens KI = forskellens KI divideret med samme SD.",
})
DA_REASONS += [
    (r"^Not shown for the (FIT|control) arm: ", r"Vises ikke for \1-gruppen: "),
    (r"^Not shown for arm (A|B): ", r"Vises ikke for gruppe \1: "),
    (r"not shown for the (FIT|control) arm: ", r"vises ikke for \1-gruppen: "),
    (r"not shown for arm (A|B): ", r"vises ikke for gruppe \1: "),
    (r"control-gruppen", "kontrolgruppen"),
    (r"it has fewer than (\d+) caseworkers", r"den har færre end \1 medarbejdere"),
    (r"with the other published counts it would reveal a caseworker's number of citizens below (\d+)",
     r"sammen med de øvrige offentliggjorte antal ville det afsløre en medarbejders antal borgere under \1"),
    (r"fewer than (\d+) citizens with a baseline WHO-5", r"færre end \1 borgere med WHO-5 ved start"),
    (r"fewer than (\d+) citizens", r"færre end \1 borgere"),
    (r": no baseline WHO-5", ": ingen WHO-5 ved start"), (r": no citizens", ": ingen borgere"),
    (r"^[Tt]he (FIT|control) arm has no caseworkers", r"\1-gruppen har ingen medarbejdere"),
    (r"^[Aa]rm (A|B) has no caseworkers", r"Gruppe \1 har ingen medarbejdere"),
    (r"^No baseline WHO-5 in the (FIT|control) arm", r"Ingen WHO-5 ved start i \1-armen"),
    (r"^No baseline WHO-5 in arm (A|B)", r"Ingen WHO-5 ved start i gruppe \1"),
    (r"^No caseworkers were randomised to the (FIT|control) arm", r"Ingen medarbejdere blev lodtrukket til \1-armen"),
    (r"^No caseworkers were randomised to arm (A|B)", r"Ingen medarbejdere blev lodtrukket til gruppe \1"),
    (r"^No stratum has caseworkers in both arms, so the arms cannot be compared within strata",
     "Intet stratum har medarbejdere i begge grupper, så grupperne kan ikke sammenlignes inden for strata"),
    (r"^The randomisation allows only the observed allocation, so there is nothing to compare it with",
     "Lodtrækningen tillader kun den observerede fordeling, så der er intet at sammenligne med"),
    (r"^Baseline WHO-5 does not vary within arm and stratum \(every citizen in an arm and stratum has the same "
     r"score\), so there is no variation to compare the difference with",
     "WHO-5 ved start varierer ikke inden for gruppe og stratum (alle borgere i en gruppe og et stratum har samme "
     "score), så der er ingen variation at sammenligne forskellen med"),
    (r"^Baseline WHO-5 does not vary within either arm \(pooled SD 0\)",
     "WHO-5 ved start varierer ikke inden for nogen af grupperne (samlet SD 0)"),
]


DA_REASONS += [
    (r"^Fewer than (\d+) citizens (with|without) (.+?) in (the FIT arm|the control arm|arm A|arm B): the estimate is "
     r"not published, as with the numbers analysed it would reveal a count below \d+ \(disclosure control\)",
     r"Færre end \1 borgere \2 \3 i \4: estimatet offentliggøres ikke, da det sammen med antallet analyserede "
     r"ville afsløre et antal under \1 (diskretionering)"),
]
DA_REASONS += [
    (r"^No WHO-5 is missing at any visit, so there is nothing to impute: the primary analysis already uses every "
     r"citizen", "Ingen WHO-5 mangler ved noget besøg, så der er intet at imputere: den primære analyse bruger allerede "
     "alle borgere"),
    (r"^Course ends \(ended_on and end_reason\) are not recorded for any citizen",
     "Forløbenes afslutning (ended_on og end_reason) er ikke registreret for nogen borger"),
    (r"^The strata are matched pairs of one caseworker per arm, so an effect within a stratum would rest on a single "
     r"caseworker per arm; effects within strata are not estimated",
     "Strata er matchede par med én medarbejder i hver gruppe, så en effekt inden for et stratum ville hvile på én "
     "medarbejder pr. gruppe; effekter inden for strata estimeres ikke"),
    (r"^The caseworkers were randomised in one stratum, so there are no strata to compare",
     "Medarbejderne blev lodtrukket i ét stratum, så der er ingen strata at sammenligne"),
    (r"^Fewer than two strata have two or more caseworkers in each arm, so effects within strata cannot be compared; "
     r"they are not estimated", "Færre end to strata har to eller flere medarbejdere i hver gruppe, så effekter "
     "inden for strata kan ikke sammenlignes; de estimeres ikke"),
    (r"^The analysis stopped with a numerical error the pipeline did not foresee \((.*)\); the other analyses are not "
     r"affected, and the details are in (.+?)\.?$",
     r"Analysen stoppede med en numerisk fejl, som værktøjet ikke havde forudset (\1); de øvrige analyser er ikke "
     r"berørt, og detaljerne står i \2."),
]
# words and codes left in a Danish reason after the patterns: arms, with/without, outcome codes
DA_REASON_WORDS = [("borgere with ", "borgere med "), ("borgere without ", "borgere uden "),
                   ("the FIT arm", "FIT-gruppen"), ("the control arm", "kontrolgruppen"), ("arm A", "gruppe A"),
                   ("arm B", "gruppe B"), ("kept_housing_12m", "opretholdt egen bolig"),
                   ("eviction_or_risk_12m", "udsættelse eller risiko"), ("stable_income_12m",
                                                                         "stabilt forsørgelsesgrundlag"),
                   ("reliable improvement", "pålidelig forbedring"), ("reliable deterioration", "pålidelig forværring"),
                   ("poor wellbeing", "dårlig trivsel"), ("likely depression", "sandsynlig depression"),
                   (" dropout ", " frafald "), (" completed ", " gennemført ")]


DA_PAIR_WORDS = [("justeret for stratum", "justeret for par (matchede par som faste effekter)"),
                 ("1 - strata frihedsgrader", "1 - par frihedsgrader"), ("gruppe, stratum og", "gruppe, par og")]


def da_pair_words(text: str) -> str:
    """A Danish method text of a pair-matched trial: its strata are the matched pairs."""
    for old, new in DA_PAIR_WORDS:
        text = text.replace(old, new)
    return text


def da_mc_words(method: str) -> str:
    """The Danish sentence on the number of imputations and the sampler's convergence, read from the English
    method text of the multiple imputation (:func:`fittrial.analyses.imputation.mc_words`); "" when it has none."""
    import re

    out = []
    two = re.search(r"two-stage rule: (\d+) first, then (\d+) so that the Monte Carlo SE of each estimate is at most "
                    r"([\d.]+)% of its SE", method)
    one = re.search(r"(\d+) imputations are enough for a Monte Carlo SE of each estimate of at most ([\d.]+)% of its "
                    r"SE", method)
    if two:
        out.append(f"Antal imputationer efter von Hippels totrinsregel: først {two.group(1)}, så {two.group(2)}, så "
                   f"Monte Carlo-SE for hvert estimat højst er {two.group(3).replace('.', ',')}% af dets SE.")
    elif one:
        out.append(f"{one.group(1)} imputationer er nok til, at Monte Carlo-SE for hvert estimat højst er "
                   f"{one.group(2).replace('.', ',')}% af dets SE (von Hippels totrinsregel).")
    if "capped at imputation.m_max" in method:
        out.append("Antallet blev begrænset af imputation.m_max, så målet er måske ikke nået.")
    rhat = re.search(r"largest split R-hat ([\d.]+)", method)
    if rhat:
        out.append(f"Gibbs-samplerens største split-R-hat: {rhat.group(1).replace('.', ',')}"
                   + (" (sampleren var ikke faldet til ro: læs analysen med forsigtighed)." if "not settled" in method
                      else "."))
    return " ".join(out)


def danish_reason(text: str) -> str:
    """A not-estimated reason in Danish where its wording is known (else unchanged)."""
    import re

    translated = False
    for pattern, replacement in DA_REASONS:
        new, n = re.subn(pattern, replacement, text)
        if n:
            text, translated = new, True
    if translated:
        for old, new in DA_REASON_WORDS:
            text = text.replace(old, new)
    return text.replace("control-armen", "kontrolarmen")


def reason_text(row, t: Translator) -> str:
    """The not-estimated reason of a table row (its ``not_estimated``) as a sentence in the report's language and the
    trial's words (Danish where its wording is known)."""
    import pandas as pd

    reason = row.get("not_estimated", "")
    reason = "" if reason is None or pd.isna(reason) else str(reason).strip()
    reason += "" if not reason or reason.endswith(".") else "."
    return t.localise(danish_reason(reason) if t.language == "da" else reason)
