"""Report language: English or Danish labels, sentences and number formatting.

Danish uses a decimal comma and Danish labels throughout the report and its
figures. The published CSV tables stay machine-readable (English column
names, decimal point) in both languages.
"""

from __future__ import annotations

import logging
import math

from fittrial.language.messages import LANGUAGES, messages

BLINDED = "__blinded"


def texts(language: str, blinded: bool = False) -> dict[str, str]:
    """Every text of the catalogue in ``language`` by key (:mod:`fittrial.language.messages`); in a blinded review
    the entries ``<key>__blinded``, which name the arms A and B, take the place of their ``<key>``."""
    out = dict(messages()[language])
    if blinded:
        out.update({k[:-len(BLINDED)]: v for k, v in out.items() if k.endswith(BLINDED)})
    return out


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
        self.text = texts(language, blinded)
        self.decimal = "," if language == "da" else "."
        self.words = dict(words or {})
        self.vocabulary = vocabulary(self.words, language)

    def __call__(self, key: str, **values: object) -> str:
        text = self.text.get(key)
        if text is None:  # a key the catalogue lacks (tests/test_messages.py keeps the code's keys in it)
            logging.getLogger("fittrial").warning("no text %r in the message catalogue", key)
            return key
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
        return self(f"o_{name}") if f"o_{name}" in self.text else name

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
