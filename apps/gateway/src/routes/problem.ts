// An OpenAPI response that is a problem+json body (RFC 9457), as every route's error answers are.
import { Problem } from "@ledgerline/contracts";

export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});
