/**
 * The single table's shape: shared by the CDK stack, the local runtime (which creates it in dynalite)
 * and the tests, so all three always agree. Every key attribute is a string; see docs/table-design.md.
 */
export const INDEXES = ['GSI1', 'GSI2', 'GSI3', 'GSI4'] as const;
export type IndexName = (typeof INDEXES)[number];

export const TABLE_KEY = { partition: 'PK', sort: 'SK' } as const;

export function indexKeys(index: IndexName): { partition: string; sort: string } {
  return { partition: `${index}PK`, sort: `${index}SK` };
}

/** Attribute holding the expiry (epoch seconds) that DynamoDB TTL removes on AWS. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** CreateTable input in the SDK's shape (used locally and in tests). */
export function createTableInput(tableName: string) {
  const attributes = [
    TABLE_KEY.partition,
    TABLE_KEY.sort,
    ...INDEXES.flatMap((i) => Object.values(indexKeys(i))),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_KEY.partition, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEY.sort, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: INDEXES.map((index) => ({
      IndexName: index,
      KeySchema: [
        { AttributeName: indexKeys(index).partition, KeyType: 'HASH' as const },
        { AttributeName: indexKeys(index).sort, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
