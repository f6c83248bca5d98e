import { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { LambdaInvoker } from '../../functions/adapters/invoke/lambda.ts';
import {
  clause,
  dispatchNews,
  emergencyNews,
  newProblemNews,
  rejectionNews,
} from '../../functions/jobs/news-events.ts';

/**
 * News at once (docs/news.md): the wording and keys of each piece of news, and the hand-off to the
 * news function on AWS checked against the request the SDK really sends (its serializer and signer
 * run; only the network is replaced).
 */
function capturingClient() {
  const requests: { path: string; headers: Record<string, string>; body: string }[] = [];
  const client = new LambdaClient({
    region: 'cn-northwest-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    requestHandler: {
      async handle(request: { path: string; headers: Record<string, string>; body?: unknown }) {
        const body = request.body;
        requests.push({
          path: request.path,
          headers: request.headers,
          body: typeof body === 'string' ? body : Buffer.from(body as Uint8Array).toString('utf8'),
        });
        return { response: { statusCode: 202, reason: '', headers: {}, body: new Uint8Array() } };
      },
    } as never,
  });
  return { client, requests };
}

describe('the hand-off to the news function', () => {
  it('is an Event invoke of the function named by NEWS_FUNCTION_NAME, with the event key', async () => {
    const { client, requests } = capturingClient();
    await new LambdaInvoker(client, { NEWS_FUNCTION_NAME: 'baocun-news' }).invokeAsync('news', {
      key: 'dispatch:D1',
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.path).toBe('/2015-03-31/functions/baocun-news/invocations');
    expect(requests[0]?.headers['x-amz-invocation-type']).toBe('Event');
    expect(JSON.parse(requests[0]?.body ?? '')).toEqual({ key: 'dispatch:D1' });
  });

  it('refuses to start without NEWS_FUNCTION_NAME (the request logs it; the sweep sends the news)', async () => {
    const { client, requests } = capturingClient();
    await expect(new LambdaInvoker(client, {}).invokeAsync('news', { key: 'k' })).rejects.toThrow(
      /NEWS_FUNCTION_NAME is not set/,
    );
    expect(requests).toHaveLength(0);
  });
});

describe('the wording of the news', () => {
  it.each([
    ['现场查看仍未动工。', '现场查看仍未动工'],
    ['已整改！！ ', '已整改'],
    ['没有标点', '没有标点'],
  ])('drops the closing marks of %j before a sentence ends (never "。。")', (text, expected) => {
    expect(clause(text)).toBe(expected);
  });

  it('tells each cadre of their own new problems, keyed by the inspection, linking to the one problem', () => {
    const news = newProblemNews({
      inspectionId: 'I1',
      date: '2026-11-23',
      modeLabel: '明查',
      villageName: '青山村',
      createdAt: '2026-11-23T02:00:00.000Z',
      problems: [
        { id: 'P1', cadreId: 'C1', description: '台账缺失。', severity: 'minor', rectifyBy: '2026-12-07' },
        { id: 'P2', cadreId: 'C2', description: '不在岗', severity: 'severe', rectifyBy: '2026-11-26' },
        { id: 'P3', cadreId: 'C2', description: '公示未更新', severity: 'minor', rectifyBy: '2026-12-07' },
      ],
    });
    expect(news.map((n) => [n.key, n.link, n.deadline])).toEqual([
      ['problems:I1:C1', '/app/cadre/problems/P1', '2026-12-07'],
      ['problems:I1:C2', '/app/cadre/problems', '2026-11-26'],
    ]);
    expect(news[0]?.messages[0]?.lines.join('\n')).toContain(
      '2026年11月23日明查发现您包联的青山村存在以下问题',
    );
    expect(news[0]?.messages[0]?.lines[1]).toBe('【一般】台账缺失（整改期限：2026年12月7日）');
    expect(news[1]?.title).toBe('督查发现 2 个问题，请按期整改');
  });

  it('says why a rectification was rejected, which kind, and by when to redo it', () => {
    const base = {
      problem: { id: 'P1', cadreId: 'C1', description: '危房改造滞后', rectifyBy: '2026-12-01' },
      verificationId: 'V1',
      at: '2026-11-24T02:00:00.000Z',
      note: '仍未动工。',
    };
    const falseOne = rejectionNews(base);
    expect(falseOne.key).toBe('rejected:P1:V1');
    expect(falseOne.messages[0]?.lines).toEqual([
      '问题“危房改造滞后”的整改经复核未通过（记为虚假整改），复核意见：仍未动工。',
      '请在 2026年12月1日 前重新整改。',
    ]);
    expect(rejectionNews({ ...base, kind: 'incomplete' }).messages[0]?.lines[0]).toContain('（整改不到位）');
    const late = rejectionNews({ ...base, at: '2026-12-05T02:00:00.000Z' });
    expect(late.messages[0]?.lines[1]).toBe('原整改期限 2026年12月1日 已过，请立即重新整改。');
  });

  it('tells each assignee of a dispatch once, naming their own villages', () => {
    const news = dispatchNews({
      dispatch: {
        id: 'D1',
        number: '派〔2026〕3号',
        title: '防火检查',
        description: '逐户排查。',
        deadline: '2026-11-30T10:00:00.000Z',
        createdAt: '2026-11-23T02:00:00.000Z',
      },
      assignees: [
        { cadreId: 'C1', villageName: '青山村' },
        { cadreId: 'C1', villageName: '石桥村' },
        { cadreId: 'C2', villageName: '青山村' },
      ],
    });
    expect(news).toMatchObject({
      key: 'dispatch:D1',
      link: '/app/cadre/dispatches/D1',
      deadline: '2026-11-30',
    });
    expect(news.messages.map((m) => m.cadreId)).toEqual(['C1', 'C2']);
    expect(news.messages[0]?.lines[0]).toBe(
      '指挥部下发任务派遣单 派〔2026〕3号《防火检查》（青山村、石桥村），请于 2026-11-30 18:00 前完成，并在系统中报告进展和完成情况。',
    );
    expect(news.messages[0]?.lines[1]).toBe('逐户排查。');
  });

  it('addresses an emergency report to the recipients of its township, with no cadre to notify', () => {
    const news = emergencyNews({
      report: {
        id: 'R1',
        summary: '山体滑坡',
        details: null,
        createdAt: '2026-11-23T02:00:00.000Z',
        townshipId: 'T1',
      },
      cadreName: '李四',
      villageName: '青山村',
    });
    expect(news).toMatchObject({ key: 'emergency:R1', messages: [], recipients: { townshipId: 'T1' } });
    expect(news.recipients?.lines[0]).toBe('李四（青山村）于 2026-11-23 10:00 发来紧急情况直报：山体滑坡。');
  });
});
