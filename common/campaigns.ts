/**
 * Credits per (channel, campaign): every SQL credit model re-run on
 * journey_touches_campaign (models/campaign_touches.sql), whose channel
 * column holds channel || chr(31) || campaign, so the models' own SQL splits
 * the credit by campaign with no change to any model file. Used by the
 * campaign report.
 */
import type { Database, SqlValue } from './db.ts';
import { bindNamed, resolveParams } from './modelHeader.ts';
import type { ModelLibrary, RunOptions } from './pipeline.ts';
import { runNamedStage } from './reportTables.ts';

/** Models whose credits can be split by campaign: the bundled SQL credit models reading journey_touches. */
export function campaignModels(lib: ModelLibrary, models: string[]): string[] {
  return models.filter((m) => {
    const spec = lib.get(m);
    return spec?.kind === 'credit' && /\bjourney_touches\b/.test(spec.sql);
  });
}

/**
 * Fills campaign_credits (conversion_id, model, channel, campaign, credit)
 * and campaign_models for the chosen models that {@link campaignModels}
 * allows; returns the models left out (e.g. data-driven ones).
 */
export async function runCampaignCredits(db: Database, lib: ModelLibrary, opts: RunOptions): Promise<string[]> {
  await runNamedStage(db, lib, 'campaign_touches');
  const usable = campaignModels(lib, opts.models);
  for (const name of usable) {
    const spec = lib.get(name)!;
    const params = resolveParams(spec.params, { ...opts.params, ...opts.modelParams?.[name] }, spec.checks, name);
    const sql = spec.sql.replace(/\bjourney_touches\b/g, 'journey_touches_campaign');
    // the channel holds no chr(31) (rule channels are plain names), so the first one splits the key
    const bound = bindNamed(
      `INSERT INTO campaign_credits
       SELECT conversion_id, $model_name, substr(channel, 1, strpos(channel, chr(31)) - 1), substr(channel, strpos(channel, chr(31)) + 1), sum(credit)
       FROM (${sql}) GROUP BY conversion_id, channel HAVING sum(credit) <> 0`,
      { ...(params as Record<string, SqlValue>), model_name: name },
    );
    await db.run(bound.sql, bound.params);
    await db.run(`INSERT INTO campaign_credits SELECT conversion_id, $1, 'direct', '', 1.0 FROM conversions WHERE touch_status <> 'attributed'`, [name]);
    await db.run('INSERT INTO campaign_models VALUES ($1)', [name]);
  }
  return opts.models.filter((m) => !usable.includes(m));
}
