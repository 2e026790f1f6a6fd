// The one DynamoDB table sentinel-watch remembers things in (snapshots, incident state, drill lock
// and reports), keyed as lambdas/adapters/dynamo-store.ts reads it: on-demand, expiring items by
// TTL, point-in-time recovery, encrypted at rest with an AWS-managed or a customer-managed key.

import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../../lambdas/adapters/dynamo-store';

/** Exactly the calls DynamoStore makes (single-item conditional writes, Query, GetItem). */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
] as const;

export interface WatcherStorageProps {
  readonly encryption: 'aws-managed' | 'customer-managed';
}

export class WatcherStorage extends Construct {
  readonly table: dynamodb.Table;
  /** Only with customer-managed encryption. */
  readonly key: kms.Key | null;

  constructor(scope: Construct, id: string, props: WatcherStorageProps) {
    super(scope, id);
    this.key =
      props.encryption === 'customer-managed'
        ? new kms.Key(this, 'TableKey', {
            description: 'sentinel-watch snapshot table',
            enableKeyRotation: true,
            removalPolicy: RemovalPolicy.RETAIN,
          })
        : null;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(this.key
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.key }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      // History and incident state outlive a `cdk destroy`; delete the table by hand if unwanted.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Read and write items of this table (no scans, no schema changes), and use its key if any. */
  grantReadWrite(grantee: iam.IGrantable): void {
    grantTableItems(grantee, this.table.tableArn);
    this.grantKey(grantee);
  }

  /**
   * Get, put and delete only the items whose partition key starts with `keyPrefix` (a notifier's
   * delivery records: lambdas/adapters/delivery-ledger.ts), and use the table's key if any.
   */
  grantItemsUnder(grantee: iam.IGrantable, sid: string, keyPrefix: string): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${keyPrefix}*`] } },
      }),
    );
    this.grantKey(grantee);
  }

  private grantKey(grantee: iam.IGrantable): void {
    if (this.key) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'SnapshotTableKey',
          // What DynamoDB does with the table key on a caller's behalf; only through DynamoDB.
          actions: [
            'kms:Decrypt',
            'kms:Encrypt',
            'kms:GenerateDataKey',
            'kms:GenerateDataKeyWithoutPlaintext',
            'kms:DescribeKey',
          ],
          resources: [this.key.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
          },
        }),
      );
    }
  }
}

/** Read and write the items of one table, by ARN (this stack's, or a shared one in another stack). */
export function grantTableItems(grantee: iam.IGrantable, tableArn: string): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'SnapshotTableItems',
      actions: [...TABLE_ACTIONS],
      resources: [tableArn],
    }),
  );
}
