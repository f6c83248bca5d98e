import {
  changeDistrictDepartment,
  createDistrict,
  createTownshipLeader,
  createUnit,
  endDistrict,
  endTownshipLeader,
} from '../../schemas/organisation.ts';
import type { FormRegistry } from './registry.ts';

/** HQ's organisation forms: units, county leaders over townships, districts and their departments. */
export const organisationForms = {
  'org-unit': { schema: createUnit },
  'org-leader': { schema: createTownshipLeader },
  'org-leader-end': { schema: endTownshipLeader },
  'org-district': { schema: createDistrict },
  'org-district-department': { schema: changeDistrictDepartment },
  'org-district-end': { schema: endDistrict },
} satisfies FormRegistry;
