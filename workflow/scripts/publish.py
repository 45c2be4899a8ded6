"""Put the complete report set in place of the published one (see fittrial.publish.release.publish)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.publish.release import publish

run_user_step(lambda: publish(snakemake.params.staging, snakemake.params.published, list(snakemake.input)),
              snakemake.log[0],
              snakemake.rule, language=language_of(snakemake.config))
