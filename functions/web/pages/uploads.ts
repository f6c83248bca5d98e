import { ApiCallError, errorOf } from '../../client/api-client.ts';
import { fieldMessages, formToBody } from '../../client/form-data.ts';
import { createUpload } from '../../schemas/photos.ts';
import { definePage, type PageDef } from '../route.ts';

/**
 * Photos for the pages.
 *
 * `POST /app/uploads`: the page script's way to `POST /uploads` (the pages sign in with a session
 * cookie, the API with a token). The device's idempotency key goes with it, so asking again for the
 * same photo's upload after a lost answer gives the same upload. Answers JSON only: the script PUTs
 * the photo to `uploadUrl` itself. A post without script never comes here (photo fields need it).
 *
 * `GET /app/photos/{id}` (and `/thumbnail`): a lasting address for a photo, for links that outlive the
 * short-lived ones in the API's answers (the problem ledger export, a page kept offline). Each visit
 * asks the API as the person signed in, so it is authorised like the photo's record, and follows the
 * fresh short-lived link the API redirects to.
 */
const photoPage = (variant: '' | '/thumbnail') =>
  definePage({
    method: 'GET',
    path: `/app/photos/{id}${variant}`,
    roles: ['cadre', 'inspector', 'township', 'leader', 'admin'],
    async handle(input, ctx) {
      const path = variant ? '/photos/{id}/thumbnail' : '/photos/{id}';
      const res = await ctx.api.relay('GET', path, { params: { id: input.params.id! } });
      // A 403/404 becomes the error page, in words; the picture (200) or its link (302) goes as it is.
      if (res.status >= 400) throw new ApiCallError(res.status, errorOf(res.body), `GET ${path}`);
      return { type: 'raw', result: res.raw };
    },
  });

export const uploadPages: PageDef[] = [
  photoPage(''),
  photoPage('/thumbnail'),
  definePage({
    method: 'POST',
    path: '/app/uploads',
    roles: ['cadre', 'inspector', 'admin'],
    handle: async (input, ctx) => {
      const { body, paths } = formToBody(createUpload, input.form);
      const res = await ctx.api.relay('POST', '/uploads', {
        body,
        idempotencyKey: input.idempotencyKey,
      });
      if (res.ok) return { type: 'json', status: 201, body: { ok: true, ...res.body } };
      if (res.status >= 500) throw new Error(`/uploads answered ${res.status}`);
      return {
        type: 'json',
        status: res.status,
        body: {
          ok: false,
          error: { code: res.error.code, message: res.error.message },
          fields: fieldMessages(res.error.fields ?? [], paths),
        },
      };
    },
  }),
];
