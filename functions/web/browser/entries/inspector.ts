import { inspectorForms } from '../../forms/inspector.ts';
import { boot } from '../app.ts';
import { attachInspectionRows } from '../inspection-rows.ts';
import { attachVillageSearch } from '../village-search.ts';

boot(inspectorForms);

const start = () => {
  attachInspectionRows();
  attachVillageSearch();
};
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
