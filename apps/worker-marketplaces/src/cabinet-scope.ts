import type { Connector, WarehouseInfo } from './connectors/types';

/**
 * A seller cabinet's connection settings that narrow what DataSync touches in it:
 * `warehouseIds` — only those of the cabinet's warehouses are stored active, so only they are pushed
 * to (the others are marked inactive by the next catalogue refresh); `campaignIds` (Yandex Market) —
 * only those campaigns' warehouses, orders and returns are read (YmConnector's `campaignIds`).
 * Orders are read for the whole cabinet (or its campaigns): a sale from any warehouse consumes the
 * SKU's one stock. A listed id the cabinet does not have fails the read by name instead of silently
 * pushing nowhere.
 */

/** The ids a setting lists, as the upstream's string ids; undefined when the setting is unset. */
export function idsSetting(settings: Record<string, unknown>, name: 'warehouseIds' | 'campaignIds'): string[] | undefined {
  const v = settings[name];
  return Array.isArray(v) ? v.map(String) : undefined;
}

/** Ids of `wanted` missing from `have`, for the error that names them. */
export function missingIds(wanted: readonly string[], have: readonly string[]): string[] {
  const set = new Set(have);
  return wanted.filter((id) => !set.has(id));
}

/** `connector` whose `warehouses()` answers only the cabinet's `warehouseIds` (all when unset). */
export function limitWarehouses<C extends Connector>(connector: C, warehouseIds: readonly string[] | undefined, connectionName: string): C {
  if (!warehouseIds) return connector;
  const all = connector.warehouses.bind(connector);
  connector.warehouses = async (): Promise<WarehouseInfo[]> => {
    const list = await all();
    const missing = missingIds(
      warehouseIds,
      list.map((w) => w.warehouseId),
    );
    if (missing.length > 0)
      throw new Error(
        `connection ${connectionName}: settings.warehouseIds names ${connector.marketplace} warehouses the cabinet does not list: ${missing.join(', ')}`,
      );
    const wanted = new Set(warehouseIds);
    return list.filter((w) => wanted.has(w.warehouseId));
  };
  return connector;
}
