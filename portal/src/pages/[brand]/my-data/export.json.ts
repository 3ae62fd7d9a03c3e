import type { APIRoute } from 'astro';
import { apiFor } from '../../../lib/forms';
import { exportJson } from '../../../lib/mydata';

/** "Download my data": the API's export (docs/export.schema.json) as a file, byte for byte. */
export const GET: APIRoute = async (context) => {
  const body = await exportJson(apiFor(context));
  const day = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${context.params.brand}-my-data-${day}.json"`,
    },
  });
};
