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
        "title": "Feedback Informed Treatment (FIT) in housing support: trial report",
        "subtitle": "Cluster-randomised trial: caseworkers randomised within strata to FIT or usual practice; citizens "
                    "analysed by their caseworker's allocated arm (intention to treat).",
        "FIT": "FIT", "control": "Control", "A": "A", "B": "B", "total": "Total",
        "s_summary": "Summary in plain language", "s_flow": "1. Flow of caseworkers and citizens",
        "s_baseline": "2. Baseline characteristics", "s_primary": "3. Primary outcome: WHO-5 well-being",
        "s_secondary": "4. Course outcomes", "s_triangulation": "5. Do the analyses agree?",
        "s_subgroups": "Subgroups", "s_dropout": "Time to dropout", "s_icc": "Intra-cluster correlations",
        "s_practice": "6. FIT in practice", "s_missing": "7. Missing data", "s_methods": "8. Methods",
        "s_plan": "Analysis plan as configured", "s_quality": "Data quality", "s_provenance": "Provenance",
        "characteristic": "Characteristic", "std_diff": "Standardised difference", "level": "Level",
        "month": "Month", "mean_ci": "Mean (95% CI)", "difference": "Difference (95% CI)", "df": "df", "p": "p",
        "p_holm": "Holm p", "p_interaction": "Interaction p", "outcome": "Outcome", "events": "Events / n (%)",
        "or": "Odds ratio (95% CI)", "rd": "Risk difference per 100 (95% CI)", "analysis": "Analysis",
        "estimate_ci": "Estimate (95% CI)", "analysed": "Analysed", "scale": "Scale", "icc": "ICC (95% CI)",
        "deff": "Design effect", "measure": "Measure", "value": "Value", "visit": "Visit", "completed": "Completed",
        "predictor": "Predictor", "method": "Method", "key": "Setting", "check": "Check", "count": "Count",
        "table": "Table", "input": "Input", "file": "File", "hr": "Hazard ratio (95% CI)",
        "baseline_note": "No p-values: differences at baseline after randomisation are due to chance. Standardised "
                         "differences above 0.1 in absolute value are noteworthy.",
        "primary_note": "Month 0: observed mean. Follow-up months: marginal means of the primary mixed model (strata "
                        "weighted equally, baseline WHO-5 at its mean). The primary time point is {m} months.",
        "secondary_note": "Odds ratio and risk difference from the GEE (main analysis); Holm p adjusted across the "
                          "five course outcomes.",
        "practice_note": "ORS (0-40) at the start and SRS (0-40) at the end of each meeting; median and interquartile "
                         "range by meeting number; dashed lines: clinical cut-offs ORS 25 and SRS 36. Reliable change: "
                         "5 ORS points. Results for the FIT arm as a whole; no caseworker is shown.",
        "missing_note": "Odds ratios for a missing {m}-month WHO-5 (GEE, logit, Mancl-DeRouen, t-test).",
        "suppression": "Counts below {k} are shown as \"<{k}\".",
        "agree": "All {n} analyses give an effect at {m} months between {lo} and {hi} points, and every confidence interval "
                 "contains the primary estimate ({est}): the analyses agree.",
        "disagree": "The analyses give effects at {m} months between {lo} and {hi} points; the confidence interval of {which} "
                    "does not contain the primary estimate ({est}), so the analyses do not fully agree.",
        "tipping": "Tipping point (multiple imputation): {text}.",
        "tipping_none": "no shift of the imputed FIT-arm values between {lo} and {hi} points changes the conclusion",
        "tipping_at": "the conclusion changes if the imputed follow-up values of FIT citizens are shifted by {d} points",
        "sum_primary": "After {m} months, citizens whose caseworker used FIT scored on average {est} points {dir} on the "
                       "WHO-5 well-being scale (0-100) than citizens whose caseworker worked as usual (95% confidence "
                       "interval {lo} to {hi}).",
        "higher": "higher", "lower": "lower",
        "sum_unclear": "The interval includes no difference, so the trial shows no clear difference in well-being; this "
                       "is not proof that FIT has no effect.",
        "sum_clear": "The interval does not include zero: the data point to a {dir} score with FIT.",
        "sum_none_secondary": "None of the course outcomes (completion, dropout, housing, eviction, income) shows a "
                              "clear difference between the arms.",
        "sum_some_secondary": "Among the course outcomes, the data point to a difference in: {list}. The others show no "
                              "clear difference.",
        "sum_not_estimable": "Not estimable from these data: {list}.",
        "prov_date": "Run finished (UTC)", "prov_runtime": "Run time from input check (s)", "prov_commit": "Workflow commit",
        "prov_plan": "Analysis plan SHA-256", "prov_config": "Effective config SHA-256", "prov_seeds": "Seeds",
        "prov_packages": "Key package versions (locked)", "uncommitted": "(with uncommitted changes)",
        "who5_axis": "WHO-5 (0-100), mean and 95% CI", "months_axis": "Months since enrolment",
        "days_axis": "Days since enrolment", "surv_axis": "Share not dropped out", "at_risk": "Number at risk",
        "forest_axis": "{a} - {b}, WHO-5 points at {m} months (95% CI)", "meeting_axis": "Meeting number",
        "median": "median", "iqr": "interquartile range", "cutoff": "cut-off",
        "o_who5": "WHO-5 well-being", "o_dropout": "Dropout", "o_completed": "Course completed with success",
        "o_kept_housing_12m": "Kept own housing (12 months)", "o_eviction_or_risk_12m": "Eviction or risk of eviction",
        "o_stable_income_12m": "Stable income (12 months)",
        "not_estimated": "Not estimated",
        "sum_primary_not": "The primary comparison (WHO-5 at {m} months) could not be estimated from these data: "
                           "{reason}",
        "a_itt": "Primary (mixed model)", "a_clda": "Constrained longitudinal analysis",
        "a_cluster_level": "Cluster-level (unweighted)", "a_cluster_level_weighted": "Cluster-level (weighted)",
        "a_ancova_cr2": "ANCOVA, CR2 cluster-robust", "a_randomisation_test": "Randomisation test",
        "a_multiple_imputation": "Multiple imputation", "a_per_protocol": "Per protocol",
        "a_cace": "Complier average causal effect", "a_time_to_dropout": "Cox model",
    },
    "da": {
        "title": "Feedback Informed Treatment (FIT) i bostøtten: forsøgsrapport",
        "subtitle": "Klyngerandomiseret forsøg: medarbejdere lodtrukket inden for strata til FIT eller sædvanlig praksis; "
                    "borgerne analyseret efter deres medarbejders tildelte gruppe (intention to treat).",
        "FIT": "FIT", "control": "Kontrol", "A": "A", "B": "B", "total": "I alt",
        "s_summary": "Sammenfatning", "s_flow": "1. Forløb for medarbejdere og borgere",
        "s_baseline": "2. Udgangspunkt (baseline)", "s_primary": "3. Primært effektmål: trivsel (WHO-5)",
        "s_secondary": "4. Forløbsmål", "s_triangulation": "5. Stemmer analyserne overens?",
        "s_subgroups": "Undergrupper", "s_dropout": "Tid til frafald", "s_icc": "Intra-klynge-korrelationer",
        "s_practice": "6. FIT i praksis", "s_missing": "7. Manglende data", "s_methods": "8. Metoder",
        "s_plan": "Analyseplan som konfigureret", "s_quality": "Datakvalitet", "s_provenance": "Sporbarhed",
        "characteristic": "Karakteristik", "std_diff": "Standardiseret forskel", "level": "Niveau",
        "month": "Måned", "mean_ci": "Gennemsnit (95% KI)", "difference": "Forskel (95% KI)", "df": "fg", "p": "p",
        "p_holm": "Holm-p", "p_interaction": "Interaktions-p", "outcome": "Effektmål", "events": "Hændelser / n (%)",
        "or": "Odds ratio (95% KI)", "rd": "Risikoforskel pr. 100 (95% KI)", "analysis": "Analyse",
        "estimate_ci": "Estimat (95% KI)", "analysed": "Analyseret", "scale": "Skala", "icc": "ICC (95% KI)",
        "deff": "Designeffekt", "measure": "Mål", "value": "Værdi", "visit": "Måling", "completed": "Udfyldt",
        "predictor": "Forklarende variabel", "method": "Metode", "key": "Indstilling", "check": "Kontrol",
        "count": "Antal", "table": "Tabel", "input": "Input", "file": "Fil", "hr": "Hazard ratio (95% KI)",
        "baseline_note": "Ingen p-værdier: forskelle ved udgangspunktet efter lodtrækning skyldes tilfældigheder. "
                         "Standardiserede forskelle over 0,1 i absolut værdi er værd at bemærke.",
        "primary_note": "Måned 0: observeret gennemsnit. Opfølgningsmåneder: marginale gennemsnit fra den primære "
                        "mixed-model (strata vægtet ens, WHO-5 ved udgangspunktet sat til gennemsnittet). Det primære "
                        "tidspunkt er {m} måneder.",
        "secondary_note": "Odds ratio og risikoforskel fra GEE (hovedanalysen); Holm-p justeret over de fem forløbsmål.",
        "practice_note": "ORS (0-40) ved mødets start og SRS (0-40) ved mødets slutning; median og interkvartilbredde "
                         "efter mødenummer; stiplede linjer: kliniske grænser ORS 25 og SRS 36. Pålidelig ændring: 5 "
                         "ORS-point. Resultater for FIT-gruppen samlet; ingen medarbejder vises.",
        "missing_note": "Odds ratio for manglende WHO-5 efter {m} måneder (GEE, logit, Mancl-DeRouen, t-test).",
        "suppression": "Antal under {k} vises som \"<{k}\".",
        "agree": "Alle {n} analyser giver en effekt efter {m} måneder mellem {lo} og {hi} point, og alle "
                 "konfidensintervaller indeholder det primære estimat ({est}): analyserne stemmer overens.",
        "disagree": "Analyserne giver effekter efter {m} måneder mellem {lo} og {hi} point; konfidensintervallet for "
                    "{which} indeholder ikke det primære estimat ({est}), så analyserne stemmer ikke helt overens.",
        "tipping": "Vendepunkt (multipel imputation): {text}.",
        "tipping_none": "ingen forskydning af de imputerede værdier i FIT-gruppen mellem {lo} og {hi} point ændrer "
                        "konklusionen",
        "tipping_at": "konklusionen ændres, hvis de imputerede opfølgningsværdier for FIT-borgere forskydes med {d} point",
        "sum_primary": "Efter {m} måneder scorede borgere, hvis medarbejder brugte FIT, i gennemsnit {est} point {dir} på "
                       "trivselsskalaen WHO-5 (0-100) end borgere, hvis medarbejder arbejdede som vanligt "
                       "(95% konfidensinterval {lo} til {hi}).",
        "higher": "højere", "lower": "lavere",
        "sum_unclear": "Intervallet indeholder ingen forskel, så forsøget viser ingen klar forskel i trivsel; det er ikke "
                       "et bevis for, at FIT er uden effekt.",
        "sum_clear": "Intervallet indeholder ikke nul: data peger på en {dir} score med FIT.",
        "sum_none_secondary": "Ingen af forløbsmålene (afsluttet med succes, frafald, bolig, udsættelse, forsørgelse) "
                              "viser en klar forskel mellem grupperne.",
        "sum_some_secondary": "Blandt forløbsmålene peger data på en forskel i: {list}. De øvrige viser ingen klar "
                              "forskel.",
        "sum_not_estimable": "Kan ikke estimeres ud fra disse data: {list}.",
        "prov_date": "Kørsel afsluttet (UTC)", "prov_runtime": "Køretid fra inputkontrol (s)",
        "prov_commit": "Workflow-commit", "prov_plan": "Analyseplan SHA-256", "prov_config": "Konfiguration SHA-256",
        "prov_seeds": "Seeds", "prov_packages": "Centrale pakkeversioner (låst)", "uncommitted": "(med ændringer)",
        "who5_axis": "WHO-5 (0-100), gennemsnit og 95% KI", "months_axis": "Måneder siden start",
        "days_axis": "Dage siden start", "surv_axis": "Andel ikke faldet fra", "at_risk": "Antal i risiko",
        "forest_axis": "{a} - {b}, WHO-5-point efter {m} måneder (95% KI)", "meeting_axis": "Mødenummer",
        "median": "median", "iqr": "interkvartilbredde", "cutoff": "grænse",
        "o_who5": "Trivsel (WHO-5)", "o_dropout": "Frafald", "o_completed": "Forløb afsluttet med succes",
        "o_kept_housing_12m": "Opretholdt egen bolig (12 måneder)", "o_eviction_or_risk_12m": "Udsættelse eller risiko",
        "o_stable_income_12m": "Stabilt forsørgelsesgrundlag (12 måneder)",
        "not_estimated": "Ikke estimeret",
        "sum_primary_not": "Den primære sammenligning (WHO-5 efter {m} måneder) kan ikke estimeres ud fra disse data: "
                           "{reason}",
        "a_itt": "Primær (mixed model)", "a_clda": "Begrænset longitudinel analyse (cLDA)",
        "a_cluster_level": "Klyngeniveau (uvægtet)", "a_cluster_level_weighted": "Klyngeniveau (vægtet)",
        "a_ancova_cr2": "ANCOVA, CR2 klynge-robust", "a_randomisation_test": "Randomiseringstest",
        "a_multiple_imputation": "Multipel imputation", "a_per_protocol": "Per protokol",
        "a_cace": "Effekt blandt efterlevere (CACE)", "a_time_to_dropout": "Cox-model",
    },
}


# Blinded review: sentences that would name the arms are worded with A and B.
BLINDED = {
    "en": {"sum_primary": "After {m} months, citizens in arm A scored on average {est} points {dir} on the WHO-5 "
                          "well-being scale (0-100) than citizens in arm B (95% confidence interval {lo} to {hi}).",
           "sum_clear": "The interval does not include zero: the data point to a {dir} score in arm A.",
           "sum_unclear": "The interval includes no difference, so the trial shows no clear difference in well-being "
                          "between the arms; this is not proof that the arms do not differ.",
           "tipping_none": "no shift of the imputed arm-A values between {lo} and {hi} points changes the conclusion",
           "tipping_at": "the conclusion changes if the imputed follow-up values in arm A are shifted by {d} points",
           "subtitle": "Cluster-randomised trial, blinded review: the arms are shown as A and B."},
    "da": {"sum_primary": "Efter {m} måneder scorede borgere i gruppe A i gennemsnit {est} point {dir} på "
                          "trivselsskalaen WHO-5 (0-100) end borgere i gruppe B (95% konfidensinterval {lo} til {hi}).",
           "sum_clear": "Intervallet indeholder ikke nul: data peger på en {dir} score i gruppe A.",
           "sum_unclear": "Intervallet indeholder ingen forskel, så forsøget viser ingen klar forskel i trivsel mellem "
                          "grupperne; det er ikke et bevis for, at grupperne ikke adskiller sig.",
           "tipping_none": "ingen forskydning af de imputerede værdier i gruppe A mellem {lo} og {hi} point ændrer "
                           "konklusionen",
           "tipping_at": "konklusionen ændres, hvis de imputerede opfølgningsværdier i gruppe A forskydes med {d} point",
           "subtitle": "Klyngerandomiseret forsøg, blindet gennemgang: grupperne vises som A og B."},
}


class Translator:
    """Labels and numbers in one language."""

    def __init__(self, language: str = "en", blinded: bool = False, primary_visit: int = 12):
        if language not in LANGUAGES:
            raise ValueError(f"report.language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        self.language = language
        self.primary_visit = int(primary_visit)
        self.text = dict(TEXT[language])
        if blinded:
            self.text.update(BLINDED[language])
        self.decimal = "," if language == "da" else "."

    def __call__(self, key: str, **values: object) -> str:
        text = self.text.get(key, TEXT["en"].get(key, key))
        if "{m}" in text:  # the primary visit, in months
            values = {"m": self.primary_visit, **values}
        return text.format(**values) if values else text

    def num(self, x: object, digits: int = 2) -> str:
        try:
            v = float(x)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(x)
        if math.isnan(v):
            return ""
        text = f"{v:.{digits}f}"
        return text.replace(".", ",") if self.decimal == "," else text

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
        """A table's row label in the report language (with decimal commas in Danish)."""
        if self.language != "da":
            return text
        return self.text_numbers(danish_label(text))

    def text_numbers(self, text: str) -> str:
        """Turn decimal points between digits into commas (for Danish free text from tables)."""
        if self.decimal != ",":
            return text
        import re

        return re.sub(r"(?<=\d)\.(?=\d)", ",", text)


# Danish wording of the row labels that the tables carry in English (regex, replacement), applied in order.
DA_LABELS: list[tuple[str, str]] = [
    (r"^Caseworkers, n$", "Medarbejdere, n"),
    (r"^Citizens per caseworker: mean \(range\)$", "Borgere pr. medarbejder: gennemsnit (spændvidde)"),
    (r"^Caseworkers in stratum (.+), n$", r"Medarbejdere i stratum \1, n"),
    (r"^Citizens, n$", "Borgere, n"),
    (r"^Age, years: mean \(SD\)$", "Alder, år: gennemsnit (SD)"),
    (r"^Women, n \(%\)$", "Kvinder, n (%)"),
    (r"^Sex not recorded, n \(%\)$", "Køn ikke registreret, n (%)"),
    (r"^Age not recorded, n \(%\)$", "Alder ikke registreret, n (%)"),
    (r"^Stratum (.+), n \(%\)$", r"Stratum \1, n (%)"),
    (r"^Baseline WHO-5: mean \(SD\)$", "WHO-5 ved start: gennemsnit (SD)"),
    (r"^Baseline WHO-5 <= 50, n \(%\)$", "WHO-5 ved start <= 50, n (%)"),
    (r"^Baseline WHO-5 missing, n \(%\)$", "WHO-5 ved start mangler, n (%)"),
    (r"^caseworker$", "medarbejder"), (r"^citizen$", "borger"),
    (r"^FIT citizens$", "FIT-borgere"),
    (r"^FIT citizens with at least one meeting with ORS/SRS$", "FIT-borgere med mindst ét møde med ORS/SRS"),
    (r"^Meetings per FIT citizen: median \(IQR\)$", "Møder pr. FIT-borger: median (IQR)"),
    (r"^Meetings per FIT citizen: mean$", "Møder pr. FIT-borger: gennemsnit"),
    (r"^Reliably improved \(last - first ORS >= \+5\), citizens with >= 2 ORS$",
     "Pålideligt forbedret (sidste - første ORS >= +5), borgere med >= 2 ORS"),
    (r"^Reliably deteriorated \(last - first ORS <= -5\), citizens with >= 2 ORS$",
     "Pålideligt forværret (sidste - første ORS <= -5), borgere med >= 2 ORS"),
    (r"^First ORS below the clinical cut-off 25, citizens with >= 2 ORS$",
     "Første ORS under den kliniske grænse 25, borgere med >= 2 ORS"),
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
    (r"^FIT session recorded in the control arm \(possible contamination\)$",
     "FIT-møde registreret i kontrolgruppen (mulig kontaminering)"),
    (r"^FIT session with a caseworker other than the citizen's$", "FIT-møde med en anden medarbejder end borgerens"),
    (r"^observed$", "observeret"), (r"^latent$", "latent"),
    (r"^Caseworkers randomised \(clusters\)$", "Medarbejdere lodtrukket (klynger)"),
    (r"^Caseworkers by stratum$", "Medarbejdere pr. stratum"), (r"^Citizens enrolled$", "Borgere inkluderet"),
    (r"^WHO-5 at (\d+) months$", r"WHO-5 efter \1 måneder"),
    (r"^WHO-5 at baseline$", "WHO-5 ved start"),
    (r"^Excluded from the primary analysis: no follow-up WHO-5$", "Udeladt af den primære analyse: ingen opfølgning"),
    (r"^Analysed, primary \(WHO-5, mixed model\)$", "Analyseret, primær (WHO-5, mixed model)"),
    (r"^Analysed, (.+) \(outcome recorded\)$", r"Analyseret, \1 (udfald registreret)"),
]

DA_METHODS = {
    "itt": "Lineær mixed model (REML) med tilfældige intercepter for medarbejder, medarbejder x besøg og borger, "
           "justeret for WHO-5 ved start (manglende: gennemsnit + indikator) og stratum; t-test med Kenward-Roger-"
           "justeret SE og frihedsgrader, højst medarbejdere minus parametre på medarbejderniveau (eller som "
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
    "multiple_imputation": "Multipel imputation fra en multilevel-model (medarbejder, medarbejder x besøg og borger), "
                           "primær model på hvert "
                           "datasæt, Rubins regler med Barnard-Rubin-frihedsgrader; vendepunktsanalyse.",
    "per_protocol": "Per protokol: den primære model på kontrolborgere og FIT-borgere med tilstrækkeligt mange møder "
                    "med ORS/SRS (ikke beskyttet af randomiseringen).",
    "cace": "Effekt blandt efterlevere: 2SLS med lodtrækningen som instrument for efterlevelse; klynge-robust "
            "kovarians (linearmodels).",
    "time_to_dropout": "Cox-model for tid til frafald (Breslow), justeret for stratum; klynge-robust kovarians; "
                       "andre afslutninger censureret.",
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


def danish_reason(text: str) -> str:
    """A not-estimated reason in Danish where its wording is known (else unchanged)."""
    import re

    for pattern, replacement in DA_REASONS:
        new, n = re.subn(pattern, replacement, text)
        if n:
            text = new
    return text.replace("control-armen", "kontrolarmen")
