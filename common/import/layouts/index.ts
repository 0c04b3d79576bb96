/**
 * The export layouts the importer recognises, one file each: this folder is
 * the list of what the app can open. A new layout is one new file here and
 * one line below. Order matters: the first layout whose signature columns are
 * all present wins, so the more specific come first; generic is the fallback.
 */
import type { Preset } from '../columns.ts';
import { ga4 } from './ga4.ts';
import { ga4Fivetran } from './ga4Fivetran.ts';
import { segment } from './segment.ts';
import { posthog } from './posthog.ts';
import { mixpanel } from './mixpanel.ts';
import { amplitude } from './amplitude.ts';
import { snowplow } from './snowplow.ts';
import { orders } from './orders.ts';
import { generic } from './generic.ts';

export { GENERIC } from './generic.ts';

/** The layouts, most specific first (Fivetran's flat GA4 table has the nested export's signature columns too); `orders` (never detected: no signature) is only chosen by name; `generic` is last. */
export const PRESETS: Preset[] = [ga4Fivetran, ga4, segment, posthog, mixpanel, amplitude, snowplow, orders, generic];
