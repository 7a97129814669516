// The one error shape every HTTP error uses: RFC 9457 problem details, plus field-level errors.
import { z } from "zod";

export const FieldError = z
  .object({
    field: z
      .string()
      .meta({ description: "JSON path of the offending field, e.g. `amount` or `items[3].currency`" }),
    code: z.string().meta({ description: "Stable machine-readable reason, e.g. TOO_MANY_DECIMALS" }),
    message: z.string(),
  })
  .meta({ id: "FieldError" });

export const Problem = z
  .object({
    type: z.string().meta({ description: "URI identifying the problem type" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional().meta({ description: "The request path" }),
    errors: z.array(FieldError).optional().meta({ description: "Field-level errors (422 only)" }),
  })
  .meta({
    id: "Problem",
    description: "RFC 9457 problem details, served as application/problem+json",
    example: {
      type: "https://ledgerline.dev/problems/invalid-fields",
      title: "Invalid fields",
      status: 422,
      detail: "1 field is invalid",
      instance: "/v1/transactions",
      errors: [
        {
          field: "amount",
          code: "TOO_MANY_DECIMALS",
          message: "USD allows 2 decimal places; 1.234 has more",
        },
      ],
    },
  });

export type FieldError = z.infer<typeof FieldError>;
export type Problem = z.infer<typeof Problem>;
