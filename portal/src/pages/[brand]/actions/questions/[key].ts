import type { APIRoute } from 'astro';
import { apiFor, backTo, readForm } from '../../../../lib/forms';
import { answerQuestion } from '../../../../lib/questions';

/** Answers the question (the answers become "you told us" facts) or dismisses it for good. */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const key = context.params.key!;
  if (form.get('intent') === 'dismiss') {
    await answerQuestion(apiFor(context), key, { dismissed: true });
    return backTo(context, 'questions', 'dismissed');
  }
  const values = form.getAll('values').map(String).filter(Boolean);
  if (values.length === 0) return backTo(context, 'questions', 'pick-one');
  await answerQuestion(apiFor(context), key, { values });
  return backTo(context, 'questions', 'answered');
};
