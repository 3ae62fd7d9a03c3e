import type { APIRoute } from 'astro';
import { staffApi } from '../../../../../lib/api';
import { subjectExportJson } from '../../../../../lib/staff';

/** A customer's full export for staff with the compliance or admin role (the API records the read). */
export const GET: APIRoute = async (context) => {
  const id = context.params.id!;
  const body = await subjectExportJson(staffApi(context.locals.staff!), id);
  return new Response(body, {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="export-${id.replace(/[^0-9a-f-]/gi, '')}.json"`,
    },
  });
};
