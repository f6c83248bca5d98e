import type { IssuerSettingsView } from '../../../schemas/issuer-settings.ts';
import { settingsForms } from '../../forms/admin-settings.ts';
import { type FormState, field, formView, freshForm } from '../../forms/state.ts';
import { definePage, type PageContext, type PageDef, type PageInput, page } from '../../route.ts';
import { submitForm } from '../../submit.ts';
import { shortDateTime } from '../../view/format.ts';
import { ADMIN, doneFlags, statusOf } from './lists.ts';

/**
 * HQ's issuer settings page (发文设置): who signs the county's documents — county, issuing body,
 * 机关代字, cc line, signer's title, the rules document's name — edited here and saved through PUT
 * /settings/issuer with the version the form was filled from (hidden `_version`, sent as If-Match).
 * When someone else saved first (412) the form comes back with the settings as they are now and
 * what the person had typed, so nothing is overwritten unseen.
 */
const PATH = '/app/admin/settings/issuer';
const FIELDS = ['countyName', 'issuingBody', 'agencyCode', 'cc', 'signerTitle', 'rulesDocumentName'] as const;
type Field = (typeof FIELDS)[number];

const valuesOf = (s: IssuerSettingsView) => Object.fromEntries(FIELDS.map((f) => [f, s[f]]));

interface Shown {
  settings: IssuerSettingsView;
  form: FormState;
  /** The fields typed before a conflict, by name, for the template to label. */
  conflict?: { version: number; typed: Array<{ name: Field; value: string }> } | undefined;
  status?: number | undefined;
  done?: Record<string, boolean>;
}

function settingsPage(shown: Shown) {
  const { settings, form } = shown;
  return page(
    'admin/settings/issuer',
    '发文设置',
    {
      settings: {
        ...settings,
        updatedAt: settings.updatedAt ? shortDateTime(settings.updatedAt) : '',
        saved: settings.version > 0,
      },
      // The number a document of the talk series would carry, to show what the 机关代字 does.
      example: { talk: `${field(form, 'agencyCode').value || settings.agencyCode}谈〔2026〕4号` },
      done: shown.done ?? {},
      conflict: shown.conflict
        ? {
            version: shown.conflict.version,
            typed: shown.conflict.typed.map((t) => ({ ...t, [t.name]: true })),
          }
        : null,
      action: PATH,
      form: formView(form),
      fields: Object.fromEntries(FIELDS.map((f) => [f, field(form, f)])),
    },
    { nav: 'settings', ...statusOf(shown.status) },
  );
}

const read = (ctx: PageContext) => ctx.api.get('/settings/issuer');

function sentVersion(input: PageInput): string | undefined {
  const value = input.form.find(([n]) => n === '_version')?.[1]?.trim();
  return value && /^\d{1,9}$/.test(value) ? value : undefined;
}

/**
 * The form again after a refusal: a conflict shows the settings as they are now with their new
 * version; any other refusal keeps what was typed and the version it was typed against (taking the
 * new version there would let the next save overwrite a change nobody saw).
 */
async function afterRefusal(input: PageInput, ctx: PageContext, state: FormState, status: number) {
  const current = await read(ctx);
  if (status === 412) {
    const fresh = freshForm(valuesOf(current));
    const typed = FIELDS.flatMap((name) => {
      const value = field(state, name).value;
      return value === current[name] ? [] : [{ name, value }];
    });
    return settingsPage({
      settings: current,
      form: { ...fresh, error: state.error },
      conflict: { version: current.version, typed },
      status,
    });
  }
  const sent = sentVersion(input);
  return settingsPage({
    settings: { ...current, version: sent === undefined ? current.version : Number(sent) },
    form: state,
    status,
  });
}

export const settingsPages: PageDef[] = [
  definePage({
    method: 'GET',
    path: PATH,
    roles: ADMIN,
    async handle(input, ctx) {
      const settings = await read(ctx);
      return settingsPage({
        settings,
        form: freshForm(valuesOf(settings)),
        done: doneFlags(input.query, ['saved']),
      });
    },
  }),
  definePage({
    method: 'POST',
    path: PATH,
    roles: ADMIN,
    handle: (input, ctx) => {
      const version = sentVersion(input);
      return submitForm(input, ctx, {
        form: settingsForms['settings-issuer'],
        method: 'PUT',
        path: '/settings/issuer',
        ifMatch: version === undefined ? undefined : `"${version}"`,
        whenEmpty: Object.fromEntries(FIELDS.map((f) => [f, ''])),
        success: () => `${PATH}?done=saved`,
        refused: (state, status) => afterRefusal(input, ctx, state, status),
      });
    },
  }),
];
