import type { APIRoute } from 'astro';
import { loadReceiptDownload } from '../../../../lib/consents';
import { apiFor } from '../../../../lib/forms';

/**
 * A consent receipt as a JSON file to keep: the ledger content, its hash and how to check it
 * (SHA-256 over the RFC 8785 canonical JSON of `content`), with a `readable` part — and a file
 * name — in the reader's language. Another customer's event id → 404.
 */
export const GET: APIRoute = async (context) => {
  const { locale, t, brand } = context.locals;
  const receipt = await loadReceiptDownload(apiFor(context), context.params.id ?? '', locale, t, brand!.defaultLocale);
  return new Response(JSON.stringify(receipt.body, null, 2) + '\n', {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-language': locale,
      'content-disposition': `attachment; filename="${receipt.fileName}"`,
    },
  });
};
