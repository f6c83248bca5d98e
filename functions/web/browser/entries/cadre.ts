import { cadreForms } from '../../forms/cadre.ts';
import { boot } from '../app.ts';
import { enhanceGeolocation } from '../visit-location.ts';

boot(cadreForms);
enhanceGeolocation();
