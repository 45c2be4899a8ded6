# Published outputs: the effects table, descriptive tables, the figure and the HTML report.


rule effects_table:
    priority: 9  # the report's effect tables and the yardsticks wait for it
    input:
        results=effect_results(),
        citizens=analysis("citizens"),
        who5_long=analysis("who5_long"),
    output:
        report(table("effects"), caption="../report/effects.rst", category="Effects"),
    params:
        blinded=config["report"]["blinded"],
        threshold=config["report"]["suppress_below"],
        outcomes=BINARY_OUTCOMES,
    log:
        f"{LOGS}/effects_table.log",
    script:
        "../scripts/effects_table.py"


rule descriptive_tables:
    priority: 6  # on the way to the course figures and the report's effect tables (rules course_figures,
    # report_tables)
    input:
        randomisation=clean("randomisation"),
        citizens=analysis("citizens"),
        who5_long=analysis("who5_long"),
        notes=analysis("data_quality_notes"),
        variance=result("primary_lmm_variance"),
        emmeans=result("primary_lmm_emmeans"),
        tipping=result("tipping_point"),
        cif=result("cif_dropout"),
    output:
        participants=table("participants"),
        who5_by_arm_visit=table("who5_by_arm_visit"),
        data_quality=table("data_quality"),
        missing_outcomes=table("missing_outcomes"),
        variance_components=table("variance_components"),
        emmeans=table("emmeans"),
        tipping_point=table("tipping_point"),
        cif_dropout=table("cif_dropout"),
    params:
        visits=config["visits"],
        threshold=config["report"]["suppress_below"],
        blinded=config["report"]["blinded"],
        outcomes=BINARY_OUTCOMES,
    log:
        f"{LOGS}/descriptive_tables.log",
    script:
        "../scripts/descriptive_tables.py"


rule yardsticks:
    # how much: Hedges' g, individual change (reliable improvement/deterioration, WHO-5 cut-offs) by arm with
    # GEE risk differences, and the effects claimed for FIT against this trial's (fittrial.analyses.yardsticks)
    priority: 8  # the report waits for it
    input:
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
        effects=table("effects"),
        who5_by_arm=table("who5_by_arm_visit"),
    output:
        table=table("yardsticks"),
        claims=table("claims"),
    params:
        options=yardstick_options(config),
        covariance=config["analysis"]["gee_covariance"],
        primary_visit=config["analysis"]["primary_visit"],
        threshold=config["report"]["suppress_below"],
        blinded=config["report"]["blinded"],
    log:
        f"{LOGS}/yardsticks.log",
    script:
        "../scripts/yardsticks.py"


rule recruitment:
    # recruitment after randomisation (CONSORT cluster extension item 10b): cluster sizes, time to enrolment
    # and baseline WHO-5 by arm, with the tests of differential recruitment (fittrial.analyses.recruitment)
    priority: 3  # its tables are needed by the report only (and its audit): the last table step to fill a gap
    input:
        randomisation=clean("randomisation"),
        citizens=analysis("citizens"),
    output:
        table("recruitment"),
    params:
        options=analysis_options("lmm_df", "randomisation"),
        threshold=config["report"]["suppress_below"],
        blinded=config["report"]["blinded"],
    log:
        f"{LOGS}/recruitment.log",
    script:
        "../scripts/recruitment.py"


rule course_tables:
    # the report's tables of the trial's course (drafts for the disclosure audit): codes and numbers, no words, so
    # the report's language is no parameter of them and switching it re-runs no audit
    priority: 5
    input:
        randomisation=clean("randomisation"),
        fit_sessions=clean("fit_sessions"),
        citizens=analysis("citizens"),
        who5_long=analysis("who5_long"),
    output:
        **{f"table_{t}": table(t) for t in COURSE_TABLES},
    params:
        visits=config["visits"],
        threshold=config["report"]["suppress_below"],
        blinded=config["report"]["blinded"],
        primary_visit=config["analysis"]["primary_visit"],
        outcomes=BINARY_OUTCOMES,
    log:
        f"{LOGS}/course_tables.log",
    script:
        "../scripts/course_tables.py"


rule course_figures:
    # the report's figures of the trial's course, in the report's language. No table waits for them: they come
    # after every step whose tables the disclosure audit reads, and fill the second core while the audit runs
    # (the audit, the flow figure and the report follow one another; see rule multiple_imputation)
    priority: 2
    input:
        fit_sessions=clean("fit_sessions"),
        citizens=analysis("citizens"),
        cif=result("cif_dropout"),
        who5_by_arm=table("who5_by_arm_visit"),
    output:
        **{f"{f}_png": report(figure(f), caption="../report/figures.rst", category="Figures") for f in COURSE_FIGURES},
        **{f"{f}_svg": figure(f, "svg") for f in COURSE_FIGURES},
        who5_png=report(figure("who5_by_arm_visit"), caption="../report/who5_figure.rst", category="Figures"),
        who5_svg=figure("who5_by_arm_visit", "svg"),
    params:
        threshold=config["report"]["suppress_below"],
        language=config["report"]["language"],
        blinded=config["report"]["blinded"],
        primary_visit=config["analysis"]["primary_visit"],
        words=WORDS,
    log:
        f"{LOGS}/course_figures.log",
    script:
        "../scripts/course_figures.py"


rule report_tables:
    # the report's tables of effects and the two-dimensional tipping point's (drafts for the disclosure audit):
    # codes and numbers, no words (see rule course_tables)
    priority: 9  # the report waits for it
    input:
        citizens=analysis("citizens"),
        effects=table("effects"),
        emmeans=table("emmeans"),
        missingness=result("missingness_predictors"),
        tipping_2d=result("tipping_point_2d"),
    output:
        **{f"table_{t}": table(t) for t in EFFECT_TABLES},
        tipping_2d_table=table("tipping_point_2d"),
    params:
        visits=config["visits"],
        threshold=config["report"]["suppress_below"],
        blinded=config["report"]["blinded"],
        outcomes=BINARY_OUTCOMES,
    log:
        f"{LOGS}/report_tables.log",
    script:
        "../scripts/report_tables.py"


rule report_figures:
    # the report's figures of effects and of the two-dimensional tipping point, in the report's language; after
    # the steps whose tables the disclosure audit reads (see rule course_figures)
    priority: 2
    input:
        citizens=analysis("citizens"),
        effects=table("effects"),
        emmeans=table("emmeans"),
        tipping_2d=result("tipping_point_2d"),
    output:
        **{f"{f}_png": report(figure(f), caption="../report/figures.rst", category="Figures") for f in EFFECT_FIGURES},
        **{f"{f}_svg": figure(f, "svg") for f in EFFECT_FIGURES},
        tipping_2d_png=report(figure("tipping_point_2d"), caption="../report/figures.rst", category="Figures"),
        tipping_2d_svg=figure("tipping_point_2d", "svg"),
    params:
        visits=config["visits"],
        threshold=config["report"]["suppress_below"],
        language=config["report"]["language"],
        blinded=config["report"]["blinded"],
        primary_visit=config["analysis"]["primary_visit"],
        words=WORDS,
    log:
        f"{LOGS}/report_figures.log",
    script:
        "../scripts/report_figures.py"


rule disclosure_control:
    # every count of the draft tables, audited together: what a reader could work out from all tables at once
    # (fittrial.publish.audit); the fewest further numbers are suppressed until nothing can be, and the
    # published tables written; the audit's record goes into provenance.json
    priority: 9
    input:
        **{f"draft_{t}": table(t) for t in PUBLISHED_TABLES + REPORT_TABLES},
        citizens=analysis("citizens"),
        who5_long=analysis("who5_long"),
        randomisation=clean("randomisation"),
    output:
        **{f"table_{t}": published_table(t) for t in PUBLISHED_TABLES + REPORT_TABLES},
        record=f"{DERIVED}/results/disclosure_audit.json",
    params:
        threshold=config["report"]["suppress_below"],
        outcomes=BINARY_OUTCOMES,
        age_breaks=config["analysis"]["age_breaks"],
        hide_sizes=config["report"]["blinded"] and config["report"]["blinded_arm_sizes"] == "total",
    log:
        f"{LOGS}/disclosure_control.log",
    script:
        "../scripts/disclosure_control.py"


rule report_html:
    # the CONSORT flow diagram, drawn from the published flow table (the numbers the table shows, no other), the
    # provenance record (the inputs', config's and every published table's and figure's SHA-256), then the HTML
    # and PDF report that shows them: one job, as every change that re-renders the report changes the record, and
    # the flow diagram can only be drawn once the audit has run (as a job of its own it was one more Python start
    # on the way to the report, in a full run and in a switch of language alike)
    input:
        unpack(input_files),
        **{f"table_{t}": published_table(t) for t in PUBLISHED_TABLES + REPORT_TABLES},
        **{f"figure_{f}": figure(f) for f in REPORT_FIGURES if f != "flow"},
        figure_tipping_point_2d=figure("tipping_point_2d"),
        hashed=[f for f in hashed_outputs() if f not in FLOW_FIGURE],
        flow_citizens=analysis("citizens"),
        flow_fit_sessions=clean("fit_sessions"),
        started=clean("randomisation"),
        audit=f"{DERIVED}/results/disclosure_audit.json",
        operating_characteristics=operating_characteristics_input,
    output:
        flow_png=report(FLOW_FIGURE[0], caption="../report/figures.rst", category="Figures"),
        flow_svg=FLOW_FIGURE[1],
        provenance=f"{REPORTS}/provenance.json",
        html=f"{REPORTS}/report.html",
        pdf=f"{REPORTS}/report.pdf",
    params:
        language=config["report"]["language"],
        blinded=config["report"]["blinded"],
        primary_visit=config["analysis"]["primary_visit"],
        words=WORDS,
        config=config,
        config_files=[str(Path(f).resolve()) for f in workflow.configfiles],
        workflow_dir=workflow.basedir,
    log:
        f"{LOGS}/report_html.log",
    script:
        "../scripts/report_html.py"


rule publish:
    # the report set replaces the published one in one step, only once all of it is built
    input:
        report_set(),
    output:
        touch(PUBLISH_FLAG),
    params:
        staging=lambda wildcards: REPORTS,  # a folder, not a file: the whole staged set
        published=PUBLISHED,
    log:
        f"{LOGS}/publish.log",
    script:
        "../scripts/publish.py"


rule verify:
    # No inputs on purpose: the reports on disk are compared as they are, not refreshed first.
    threads: 2
    params:
        config=config,
        snakefile=workflow.main_snakefile,
        reports=PUBLISHED,
    log:
        f"{LOGS}/verify.log",
    script:
        "../scripts/verify.py"
