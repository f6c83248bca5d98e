import { adminForms } from '../../forms/admin.ts';
import { boot } from '../app.ts';
import { enhanceChiefButtons } from '../select-chiefs.ts';

boot(adminForms);
// Module scripts run once the document is parsed: the form's buttons are there.
enhanceChiefButtons();
