"""Put the complete report set in place of the published one (see fittrial.publish.publish)."""
from fittrial.errors import run_user_step
from fittrial.publish import publish

run_user_step(lambda: publish(snakemake.params.staging, snakemake.params.published), snakemake.log[0],
              snakemake.rule)
