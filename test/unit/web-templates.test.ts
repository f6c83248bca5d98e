import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASSETS_GENERATED_FILE, generate as generateAssets } from '../../functions/web/build-assets.ts';
import { generate, PAGE_GENERATED_FILE, sourceHash } from '../../functions/web/build-templates.ts';
import { PAGE_TEMPLATE_SOURCE_HASH } from '../../functions/web/templates.generated.ts';
import { renderPage } from '../../functions/web/templates.ts';

/** The pages' generated modules are what the Lambda serves: the build must make them from their sources. */
const layout = {
  title: '测试',
  css: '/app/static/app.css',
  icon: '/app/static/icon.svg',
  script: '/app/static/common.js',
  user: { name: '<img src=x onerror=alert(1)>', isAdmin: false, isInspector: false, isCadre: true },
  userId: 'C1',
  nav: 'home',
  wide: false,
  renderedAt: '0',
  offline: '',
  warm: '',
};

describe('page templates', () => {
  it('the built module is what the generator makes of templates/pages (`npm run generate`)', () => {
    expect(PAGE_TEMPLATE_SOURCE_HASH).toBe(sourceHash());
    expect(readFileSync(PAGE_GENERATED_FILE, 'utf8')).toBe(generate());
  });

  it('escape every value: a name that is markup prints as text', () => {
    const html = renderPage('error', {
      status: 404,
      code: 'NOT_FOUND',
      message: '<b>x</b>',
      isNotFound: true,
      isForbidden: false,
      layout,
    });
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<img src=x');
  });

  it('fail loudly on a field missing from a view model (strict mode)', () => {
    expect(() => renderPage('error', { status: 404, code: 'NOT_FOUND', layout })).toThrow(
      /"message" not defined/,
    );
  });
});

describe('page assets', () => {
  it('the built module is what the generator makes of the stylesheets and browser code', async () => {
    expect(readFileSync(ASSETS_GENERATED_FILE, 'utf8')).toBe(await generateAssets());
  });
});
