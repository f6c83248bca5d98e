import * as z from 'zod/mini';

/**
 * Places on the map: WGS-84 degrees, as a phone's geolocation reports them. (Chinese map services
 * use GCJ-02; a county entering a village's point from such a map is off by a few hundred metres,
 * well inside the far-from-village threshold.)
 */
const degrees = (what: string, limit: number) =>
  z
    .number({ message: `${what}须为数字` })
    .check(
      z.refine(Number.isFinite, { message: `${what}须为数字` }),
      z.gte(-limit, `${what}须在 -${limit} 到 ${limit} 度之间`),
      z.lte(limit, `${what}须在 -${limit} 到 ${limit} 度之间`),
    );

export const latitude = degrees('纬度', 90).check(z.describe('纬度（WGS-84，度）'));
export const longitude = degrees('经度', 180).check(z.describe('经度（WGS-84，度）'));

/** A village's place: where its office (村委会) stands. */
export const geoPoint = z.lazy(() => z.strictObject({ lat: latitude, lng: longitude }));

/** Where a phone says it is, with the radius (metres) it is sure of. */
export const geoFix = z.lazy(() =>
  z.strictObject({
    lat: latitude,
    lng: longitude,
    accuracy: z
      .number({ message: '定位精度须为数字' })
      .check(
        z.refine(Number.isFinite, { message: '定位精度须为数字' }),
        z.gte(0, '定位精度不能为负数'),
        z.lte(100_000, '定位精度不能超过 100 公里'),
        z.describe('定位精度（米）'),
      ),
  }),
);

export type GeoPoint = z.output<typeof geoPoint>;
export type GeoFix = z.output<typeof geoFix>;
