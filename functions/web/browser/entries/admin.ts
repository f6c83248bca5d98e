import { adminForms } from '../../forms/admin.ts';
import { boot } from '../app.ts';

boot(adminForms);
