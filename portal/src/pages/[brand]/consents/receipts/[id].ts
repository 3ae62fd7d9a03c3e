import type { APIRoute } from 'astro';
import { loadReceipt } from '../../../../lib/consents';
import { apiFor } from '../../../../lib/forms';

/**
 * A consent receipt as a JSON file to keep: the ledger content, its hash and how to check it
 * (SHA-256 over the RFC 8785 canonical JSON of `content`). Another customer's event id → 404.
 */
export const GET: APIRoute = async (context) => {
  const receipt = await loadReceipt(apiFor(context), context.params.id ?? '');
  const day = String(receipt.content.capturedAt ?? receipt.content.recordedAt ?? '').slice(0, 10) || 'receipt';
  const purpose = String(receipt.content.purpose ?? 'consent').replace(/[^a-z0-9_-]/gi, '');
  return new Response(JSON.stringify(receipt, null, 2) + '\n', {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="consent-receipt-${purpose}-${day}.json"`,
    },
  });
};
