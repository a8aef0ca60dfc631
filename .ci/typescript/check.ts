// Type-checked against the types openapi-typescript generates from /openapi.json
// (.ci/typescript-types): compiles only if the document types the API as clients expect.
import type { components, paths } from "./schema";

type Schemas = components["schemas"];

// A card to create: optional fields may be left out.
const card: Schemas["Contact"] = {
  first_name: "Ada", last_name: "Lovelace", email: "ada@example.com", birthday: "1815-12-10",
};
const role: NonNullable<Schemas["User"]["role"]> = "admin";
// @ts-expect-error: roles are an enum
const notARole: NonNullable<Schemas["User"]["role"]> = "root";
// A removed invite in a sync is its id alone.
const removed: Schemas["Sync"]["invites"][number] = { id: "0123456789abcdef0123456789abcdef" };
type Created = paths["/api/contacts/"]["post"]["responses"]["201"]["content"]["application/json"];
const createdAt: Created["created_at"] = "2025-04-16T12:28:54.744Z";
type SyncBody = NonNullable<paths["/1/sync"]["post"]["requestBody"]>["content"]["application/json"];
const since: SyncBody = { since: 1700000000 };

export { card, createdAt, notARole, removed, role, since };
