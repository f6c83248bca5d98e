import { getUnit } from '../adapters/dynamo/organisation.ts';
import { ValidationError } from '../errors.ts';

/**
 * The one check the roster's cadre routes need from the organisation (a cadre's unit exists), apart
 * from routes/organisation.ts so that the roster function does not load the organisation's routes.
 */
/** Units a cadre may name: any unit that exists. */
export async function checkUnitReference(unitId: unknown, path = 'body.unitId'): Promise<void> {
  if (typeof unitId !== 'string') return;
  if (await getUnit(unitId)) return;
  throw new ValidationError('请求内容有误，请按提示修改', {
    fields: [{ path, code: 'UNKNOWN_REFERENCE', message: '单位不存在' }],
  });
}
