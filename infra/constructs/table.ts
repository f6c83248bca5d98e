import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  INDEXES,
  indexKeys,
  TABLE_KEY,
  TTL_ATTRIBUTE,
} from '../../functions/adapters/dynamo/table-definition.ts';

/**
 * What a function may do with the table. The lists name exactly the operations the data-access
 * module issues (Get/BatchGet/Query; Put/Update/Delete/BatchWrite). `grantReadData` would also allow
 * Scan, which the code never uses and which must not become possible by accident.
 */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

export type TableAccess = 'none' | 'read' | 'readwrite';

/**
 * Context `-c tableName=<name>`: run the stack on an existing table instead of its own, i.e. one
 * restored from point-in-time recovery (docs/deploy.md). The stack's own table then leaves the
 * template and, being retained, stays in the account untouched.
 */
export const EXISTING_TABLE_CONTEXT = 'tableName';

/**
 * The single table (see docs/table-design.md); its shape comes from the same definition the local
 * runtime uses to create it in dynalite, so AWS and the laptop cannot disagree.
 */
export class DataTable extends Construct {
  readonly table: ITable;
  /** Set when the table is an existing one (EXISTING_TABLE_CONTEXT), not created by this stack. */
  readonly existingTableName?: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const existing = this.node.tryGetContext(EXISTING_TABLE_CONTEXT) as string | undefined;
    if (existing) {
      if (!/^[A-Za-z0-9_.-]{3,255}$/.test(existing))
        throw new Error(`tableName "${existing}" is not a table name`);
      this.existingTableName = existing;
      this.table = Table.fromTableName(this, 'Table', existing);
      return;
    }
    const table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEY.partition, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEY.sort, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // The accountability record outlives any deployment: never delete it with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    this.table = table;
    for (const index of INDEXES) {
      const k = indexKeys(index);
      table.addGlobalSecondaryIndex({
        indexName: index,
        partitionKey: { name: k.partition, type: AttributeType.STRING },
        sortKey: { name: k.sort, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }

  /**
   * Grants exactly the listed actions: reads on the table and its named indexes (no `index/*`
   * wildcard), writes on the table only (indexes are never written directly).
   */
  grant(grantee: IGrantable, access: TableAccess): void {
    if (access === 'none') return;
    const tableArn = this.table.tableArn;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...TABLE_READ_ACTIONS],
        resources: [tableArn, ...INDEXES.map((index) => `${tableArn}/index/${index}`)],
      }),
    );
    if (access === 'readwrite') {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...TABLE_WRITE_ACTIONS],
          resources: [tableArn],
        }),
      );
    }
  }
}
