// Reads stored drill reports back (the drill Lambda writes them with DynamoStore.putDrillReport under
// pk DEPLOYMENT#<name>, sk DRILL#<startedAt ISO>). Kept apart from DynamoStore so the reader a CLI
// needs does not grow the poller's store.

import type { DynamoDBDocumentClient, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DrillReportReader } from '../core/drill/history';
import type { DrillReport } from '../core/drill/types';
import { deploymentKey, SORT_KEYS, StoreError, TABLE_KEYS } from './dynamo-store';

/** Ids the drill makes: `drill-20261130T062539Z-db422b` (its start, to the second, and 3 random bytes). */
const ID_TIME = /^drill-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[0-9a-f]+$/;

/** A lookup by an id of another form reads at most this many reports of the deployment. */
export const MAX_REPORTS_SCANNED = 2000;

export interface DynamoDrillReportsProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Items per Query request; unset: DynamoDB's own 1 MB pages. Small values exist for tests. */
  readonly pageSize?: number;
}

export class DynamoDrillReports implements DrillReportReader {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #pageSize: number | undefined;

  constructor(props: DynamoDrillReportsProps) {
    this.#client = props.client;
    this.#table = props.tableName;
    this.#pageSize = props.pageSize;
  }

  list(deployment: string, limit: number): Promise<DrillReport[]> {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new StoreError(
        'Query (drill list)',
        this.#table,
        `limit must be a positive integer, got ${limit}`,
      );
    }
    const prefix = SORT_KEYS.drillPrefix;
    // Every DRILL# key sorts between the prefix and the prefix followed by the highest character.
    return this.#query('drill list', deployment, prefix, `${prefix}\uffff`, limit);
  }

  async get(deployment: string, id: string): Promise<DrillReport | null> {
    const m = ID_TIME.exec(id);
    const prefix = SORT_KEYS.drillPrefix;
    // The id names its start to the second: read that second's reports only.
    const range: [string, string] = m
      ? [
          `${prefix}${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`,
          `${prefix}${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.999Z`,
        ]
      : [prefix, `${prefix}\uffff`];
    const reports = await this.#query('drill get', deployment, range[0], range[1], MAX_REPORTS_SCANNED, id);
    return reports[0] ?? null;
  }

  async #query(
    operation: string,
    deployment: string,
    from: string,
    to: string,
    limit: number,
    id?: string,
  ): Promise<DrillReport[]> {
    const reports: DrillReport[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    let read = 0;
    do {
      let page: QueryCommandOutput;
      try {
        page = await this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#sk': TABLE_KEYS.sortKey },
            ExpressionAttributeValues: { ':pk': deploymentKey(deployment), ':from': from, ':to': to },
            ScanIndexForward: false,
            Limit: Math.min(limit - read, this.#pageSize ?? limit - read),
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        // The error's name only: SDK messages may quote the request.
        const name = (error as Error | undefined)?.name ?? typeof error;
        throw new StoreError(`Query (${operation})`, this.#table, name, { cause: error });
      }
      const items = page.Items ?? [];
      read += items.length;
      for (const item of items) {
        const report = item.report as DrillReport | undefined;
        if (!report || typeof report !== 'object') continue;
        if (id === undefined || report.id === id) reports.push(report);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && read < limit && (id === undefined || reports.length === 0));
    return id === undefined ? reports.slice(0, limit) : reports.slice(0, 1);
  }
}
