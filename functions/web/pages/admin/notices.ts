import type { PageDef } from '../../route.ts';

/** HQ: 文书列表与下载. */
export const noticePages: PageDef[] = [];
