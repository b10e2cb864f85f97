/**
 * The pieces of OData v3 the connector speaks to 1C's standard interface
 * (https://its.1c.ru/db/v83doc#bookmark:dev:TI000001362; OData v3 URL conventions,
 * https://www.odata.org/documentation/odata-version-3-0/url-conventions/): literals in
 * `$filter`, and reading the entity sets and properties out of `$metadata` (EDMX).
 */

/** A string literal: in single quotes, a quote doubled (`'О''Нил'`). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A GUID literal, `guid'…'` (the value must already be a GUID). */
export function odataGuid(guid: string): string {
  return `guid'${guid}'`;
}

/** A date-time literal as 1C takes it, `datetime'YYYY-MM-DDTHH:MM:SS'` (no offset: 1C's own clock). */
export function odataDateTime(date: string, time = '00:00:00'): string {
  return `datetime'${date}T${time}'`;
}

/** `a or b or …` in parentheses; an empty list is `false`. */
export function odataAny(clauses: readonly string[]): string {
  return clauses.length === 0 ? 'false' : `(${clauses.join(' or ')})`;
}

/** What `$metadata` publishes: entity set names and each entity type's property names. */
export interface ODataMetadata {
  entitySets: string[];
  properties: Map<string, Set<string>>;
}

/**
 * Reads 1C's EDMX: `<EntitySet Name="Catalog_Пациенты" EntityType="StandardODATA.Catalog_Пациенты"/>`
 * and `<EntityType Name="Catalog_Пациенты">` with its `<Property Name="…"/>` and
 * `<NavigationProperty Name="…"/>`. A text that is not EDMX gives empty lists.
 */
export function parseODataMetadata(xml: string): ODataMetadata {
  const entitySets = [...xml.matchAll(/<EntitySet\b[^>]*\bName="([^"]+)"/g)].map((match) => decodeXml(match[1]!));
  const properties = new Map<string, Set<string>>();
  for (const match of xml.matchAll(/<EntityType\b[^>]*\bName="([^"]+)"[^>]*>([\s\S]*?)<\/EntityType>/g)) {
    const names = [...match[2]!.matchAll(/<(?:Navigation)?Property\b[^>]*\bName="([^"]+)"/g)].map((p) => decodeXml(p[1]!));
    properties.set(decodeXml(match[1]!), new Set(names));
  }
  return { entitySets, properties };
}

function decodeXml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
