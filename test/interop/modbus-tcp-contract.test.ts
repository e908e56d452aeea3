import { tcpSubject } from '../harness/simulator-harness.js';
import { describeDriverContract } from './describe-driver-contract.js';

describeDriverContract('Modbus TCP driver on the station simulator', tcpSubject);
