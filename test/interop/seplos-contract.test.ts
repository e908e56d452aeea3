import { seplosPtySubject, seplosTcpSubject } from '../harness/seplos-harness.js';
import { describeDriverContract } from './describe-driver-contract.js';

describeDriverContract('Seplos V2 driver over TCP (RS-485 gateway) on the pack simulator', seplosTcpSubject);
describeDriverContract('Seplos V2 driver over a socat pseudo-terminal', seplosPtySubject);
