import { cadreForms } from '../../forms/cadre.ts';
import { boot } from '../app.ts';

boot(cadreForms);
