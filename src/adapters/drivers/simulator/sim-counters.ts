/** What the simulator saw on the wire, for tests to assert on (requests per function code and unit, writes). */
export interface WriteRecord {
  unitId: number;
  address: number;
  words: number[];
}

export class SimCounters {
  requests = 0;
  writes = 0;
  connections = 0;
  readonly byFunction = new Map<number, number>();
  readonly byUnit = new Map<number, number>();
  readonly writeLog: WriteRecord[] = [];

  recordRequest(unitId: number, functionCode: number): void {
    this.requests += 1;
    this.byFunction.set(functionCode, (this.byFunction.get(functionCode) ?? 0) + 1);
    this.byUnit.set(unitId, (this.byUnit.get(unitId) ?? 0) + 1);
  }

  recordWrite(record: WriteRecord): void {
    this.writes += 1;
    this.writeLog.push(record);
  }

  forFunction(functionCode: number): number {
    return this.byFunction.get(functionCode) ?? 0;
  }

  forUnit(unitId: number): number {
    return this.byUnit.get(unitId) ?? 0;
  }

  reset(): void {
    this.requests = 0;
    this.writes = 0;
    this.connections = 0;
    this.byFunction.clear();
    this.byUnit.clear();
    this.writeLog.length = 0;
  }
}
