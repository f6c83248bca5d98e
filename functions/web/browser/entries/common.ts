import { boot } from '../app.ts';

/** Pages without forms of their own (sign-in, offline, errors): the service worker and the outbox. */
boot({});
