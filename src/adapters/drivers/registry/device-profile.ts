/** A device profile from `registry/<manufacturer>_<model>.json`: SPEC-001 §7 fields plus the Modbus map. */
export const REGISTER_TABLES = ['holding', 'input'] as const;
export type RegisterTable = (typeof REGISTER_TABLES)[number];

export const VALUE_TYPES = ['u16', 'i16', 'u32', 'i32', 'f32', 'string'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export type WordOrder = 'big' | 'little';
export type TagAccess = 'r' | 'w' | 'rw';

export interface TagDefinition {
  table: RegisterTable;
  address: number;
  type: ValueType;
  /** Registers a string occupies (2 ASCII characters each); numbers derive it from the type. */
  length?: number;
  /** physical = raw × scale + offset. */
  scale?: number;
  offset?: number;
  word_order?: WordOrder;
  access: TagAccess;
  unit?: string;
  /** Unit id when the tag lives on another unit than the connection's (e.g. Victron GX services). */
  unit_id?: number;
  /** Inclusive physical range; writes outside it are refused before anything is sent. */
  range?: [number, number];
  /** Allowed values (enumerations such as mode_cmd); checked before anything is sent. */
  values?: number[];
  description?: string;
}

export interface ModbusSettings {
  default_port: number;
  default_unit_id: number;
  word_order: WordOrder;
  /** Largest register block in one request (Modbus allows 125). */
  max_block_registers: number;
  /** Unused registers a block may span to avoid a second request. */
  max_gap_registers: number;
  /** Tags (type string) holding the identity; read by readStaticInfo(). */
  static_tags?: { serial_number?: string; firmware?: string };
}

/** A Modbus device profile (the register map drives the generic Modbus driver). */
export interface DeviceProfile {
  schema_version: '1.0';
  manufacturer: string;
  model: string;
  protocol: string;
  driver_class: 'modbus';
  description?: string;
  supported_tags: { read: string[]; write: string[] };
  unsupported_required_tags: string[];
  p_max_kw: number;
  chemistry?: string;
  interop_certified: boolean;
  interop_test_date: string | null;
  notes: string;
  known_quirks?: string;
  modbus: ModbusSettings;
  tags: Record<string, TagDefinition>;
  /** Bit number → meaning, per alarm tag. */
  alarm_bits?: Record<string, Record<string, string>>;
  /** Alarm bits that make the safety guard block (per alarm tag). */
  safety_critical_alarm_bits?: Record<string, number[]>;
}

/** A tag of a protocol whose layout is fixed by the driver (Seplos V2): what it means and its bounds. */
export interface FixedTagDefinition {
  access: 'r';
  unit?: string;
  /** Plausible physical range; a reading outside it is rejected as an invalid read. */
  range?: [number, number];
  description?: string;
}

export interface SeplosSettings {
  /** Pack address on the RS-485 bus (the DIP switches), when the URL names none. */
  default_address: number;
  default_baud: number;
  /** Port of an RS-485-to-TCP gateway, when the URL names none. */
  default_tcp_port: number;
  /** Pause between two commands on the bus. */
  inter_command_delay_ms: number;
  /** Further attempts of a command whose answer was invalid or missing, inside the request time limit. */
  retries: number;
}

/** A Seplos V2 BMS profile: SPEC-001 §7 fields, the protocol settings and the meaning of each tag. */
export interface SeplosProfile extends Omit<DeviceProfile, 'driver_class' | 'modbus' | 'tags'> {
  driver_class: 'seplos-v2';
  seplos: SeplosSettings;
  tags: Record<string, FixedTagDefinition>;
}

/** Any profile of the registry; `driver_class` tells them apart. */
export type RegistryProfile = DeviceProfile | SeplosProfile;

export function isModbusProfile(profile: RegistryProfile): profile is DeviceProfile {
  return profile.driver_class === 'modbus';
}

export function isSeplosProfile(profile: RegistryProfile): profile is SeplosProfile {
  return profile.driver_class === 'seplos-v2';
}

/** Registers a tag occupies. */
export function registerCount(tag: TagDefinition): number {
  switch (tag.type) {
    case 'u16':
    case 'i16':
      return 1;
    case 'u32':
    case 'i32':
    case 'f32':
      return 2;
    case 'string':
      return tag.length ?? 1;
  }
}

export function isReadable(tag: { access: TagAccess }): boolean {
  return tag.access !== 'w';
}

export function isWritable(tag: { access: TagAccess }): boolean {
  return tag.access !== 'r';
}
