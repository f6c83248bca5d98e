import { describe, expect, it } from 'vitest';
import {
  duplicatePhotoIssues,
  exifDateTime,
  mayUploadFor,
  PHOTO_MAX_BYTES,
  plausibleLocation,
  type UploadRecord,
  uploadIssue,
} from '../../functions/core/photos.ts';

const upload = (over: Partial<UploadRecord> = {}): UploadRecord => ({
  id: 'U1',
  owner: 'inspector-1',
  purpose: 'problem',
  contentType: 'image/jpeg',
  size: 1000,
  status: 'uploaded',
  createdAt: '2026-11-24T00:00:00Z',
  urlExpiresAt: '2026-11-24T00:15:00Z',
  ...over,
});

describe('who uploads for what', () => {
  it.each([
    [['inspector'], 'problem', true],
    [['inspector'], 'rectification', false],
    [['cadre'], 'rectification', true],
    [['cadre'], 'visit', true],
    [['cadre'], 'problem', false],
    [['admin'], 'visit', true],
  ] as const)('%j for %s: %s', (roles, purpose, allowed) => {
    expect(mayUploadFor(roles, purpose)).toBe(allowed);
  });
});

describe('uploadIssue', () => {
  it.each([
    ['missing', undefined, 'PHOTO_NOT_FOUND'],
    ['someone else’s', upload({ owner: 'inspector-2' }), 'PHOTO_NOT_YOURS'],
    ['for another purpose', upload({ purpose: 'visit' }), 'PHOTO_WRONG_PURPOSE'],
    ['claimed by another record', upload({ status: 'claimed', claimRef: 'OTHER' }), 'PHOTO_ALREADY_USED'],
    ['declared too large', upload({ size: PHOTO_MAX_BYTES + 1 }), 'PHOTO_TOO_LARGE'],
  ])('refuses an upload %s', (_what, u, code) => {
    const issue = uploadIssue('body.photoIds.0', u, 'inspector-1', 'problem', 'REF');
    expect(issue).toMatchObject({ path: 'body.photoIds.0', code });
    expect(issue?.message).not.toMatch(/[a-z]{4,}/);
  });

  it('lets the same record claim its photo again (a retry)', () => {
    expect(
      uploadIssue('p', upload({ status: 'claimed', claimRef: 'REF' }), 'inspector-1', 'problem', 'REF'),
    ).toBeUndefined();
  });
});

describe('metadata kept from EXIF', () => {
  it('reads capture time as the camera wrote it', () => {
    expect(exifDateTime('2026:11:20 10:30:00')).toBe('2026-11-20T10:30:00');
    expect(exifDateTime(new Date(Date.UTC(2026, 10, 20, 10, 30)))).toBe('2026-11-20T10:30:00');
    expect(exifDateTime('garbage')).toBeUndefined();
  });

  it('keeps only positions on Earth (0,0 is a broken GPS)', () => {
    expect(plausibleLocation(36.5000004, 104.26)).toEqual({ lat: 36.5, lng: 104.26 });
    expect(plausibleLocation(0, 0)).toBeUndefined();
    expect(plausibleLocation(91, 10)).toBeUndefined();
    expect(plausibleLocation(Number.NaN, 10)).toBeUndefined();
  });

  it('marks every repeat of a photo in one list', () => {
    expect(duplicatePhotoIssues('body.photoIds', ['a', 'b', 'a', 'a']).map((i) => i.path)).toEqual([
      'body.photoIds.2',
      'body.photoIds.3',
    ]);
  });
});
