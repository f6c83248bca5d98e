import { inspectorForms } from '../../forms/inspector.ts';
import { boot } from '../app.ts';

boot(inspectorForms);
