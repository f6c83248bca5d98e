import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/seed-demo-data.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';

/** The demo county shows evidence photos: on problems, and before/after on their rectifications. */
let t: TestStack;
let admin: Caller;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  await seedDemo({ url: t.url });
  // A second run (the same day) adds nothing and does not trip over the photos it already used.
  await seedDemo({ url: t.url });
}, 300_000);
afterAll(async () => {
  await t.stop();
});

describe('demo photos', () => {
  it('some demo problems carry a photo, and rectified ones an "after" photo, each readable by HQ', async () => {
    const problems: { id: string; photoIds?: string[] }[] = [];
    let next: string | undefined;
    do {
      const res = await admin.get(`/problems?limit=100${next ? `&next=${encodeURIComponent(next)}` : ''}`);
      problems.push(...res.body.items);
      next = res.body.next;
    } while (next);
    const pictured = problems.filter((p) => p.photoIds?.length);
    expect(pictured.length).toBeGreaterThanOrEqual(4);
    const details = await Promise.all(pictured.map((p) => admin.get(`/problems/${p.id}`)));
    const withAfter = details.filter((d) =>
      d.body.events.some(
        (e: { kind: string; photos?: unknown[] }) => e.kind === 'rectification' && e.photos?.length,
      ),
    );
    expect(withAfter.length).toBeGreaterThanOrEqual(1);
    const photo = details[0]!.body.photos[0];
    expect(photo.takenAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(photo.location.lat).toBeGreaterThan(35);
    const img = await fetch(new URL(photo.thumbnailUrl, t.url));
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
  });
});
