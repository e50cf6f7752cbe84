import type { NamePools, Service } from './catalog';
import type { ClientKey, ClientRows } from './clients';
import { idOf, type CompanyLayout, type Json, pick, type RecordKey, USER_ID } from './layout';
import type { Table, TableSpec } from './table';
import { isoColon, isoCompact, naive } from './time';

/** A company's records (visits booked with a master), in (datetime, id) order. */
export class RecordRows {
  constructor(
    private readonly layout: CompanyLayout,
    private readonly pools: NamePools,
    private readonly clientRows: ClientRows,
    private readonly clients: Table<Json, ClientKey>,
  ) {}

  spec(): TableSpec<Json, RecordKey> {
    const layout = this.layout;
    return {
      baseCount: layout.options.records,
      baseRow: (i) => this.build(i, layout.recordKeyAt(i)),
      baseKey: (i) => layout.recordKeyAt(i),
      baseIndexOf: (id) => layout.recordIndexOf(id),
      keyOf: (row) => ({
        id: idOf(row.id),
        sort: layout.stamp(row.datetime),
        staffId: idOf(row.staff_id),
        clientId: idOf(row.client),
        deleted: row.deleted === true || row.deleted === 1,
        created: layout.stamp(row.create_date),
        changed: layout.stamp(row.last_change_date),
        createdUser: idOf(row.created_user_id),
      }),
    };
  }

  /** The services of base record i with the master's prices and its discount; their length and total. */
  services(i: number, staffId: number): { services: Json[]; length: number; total: number } {
    const s = this.layout.s;
    const catalog = this.layout.catalog;
    const list = catalog.servicesOf.get(staffId) ?? catalog.services;
    if (list.length === 0) return { services: [], length: 3600, total: 0 };
    const chosen: Service[] = [list[s.service.int(i, list.length)]!];
    if (list.length > 1 && s.second.int(i, 5) === 0) chosen.push(list[(list.indexOf(chosen[0]!) + 1) % list.length]!);
    let length = 0;
    let total = 0;
    const services = chosen.map((svc, n) => {
      const link = svc.staff.find((p) => p.id === staffId);
      const firstCost = link?.price ?? svc.price_min;
      const discount = [0, 0, 0, 5, 10, 15][s.rdiscount.int(i + n, 6)]!;
      const cost = Math.round((firstCost * (100 - discount)) / 100);
      length += link?.seance_length ?? svc.duration;
      total += cost;
      return {
        id: svc.id,
        title: svc.title,
        cost,
        cost_to_pay: cost,
        manual_cost: cost,
        cost_per_unit: firstCost,
        discount,
        first_cost: firstCost,
        amount: 1,
      };
    });
    return { services, length, total };
  }

  private staffEmbed(staffId: number): Json | [] {
    const s = this.layout.catalog.staff.find((x) => x.id === staffId);
    if (!s) return [];
    const { id, api_id, name, specialization, position, avatar, avatar_big, rating, votes_count } = s;
    return { id, api_id, name, specialization, position, avatar, avatar_big, rating, votes_count };
  }

  /** The client as a record (or a transaction) embeds it: the stored row if a test changed it. */
  clientEmbed(clientId: number): Json | null {
    if (clientId === 0) return null;
    const handle = this.clients.handleOf(clientId);
    const index = this.layout.clientIndexOf(clientId);
    const row = handle !== undefined ? this.clients.row(handle) : index !== undefined ? this.clientRows.build(index, clientId) : undefined;
    if (!row) return { id: clientId, name: '', phone: '', card: '', email: '', success_visits_count: 0, fail_visits_count: 0 };
    const visits = Number(row.visits ?? 0);
    return {
      id: clientId,
      name: row.name,
      surname: row.surname,
      patronymic: row.patronymic,
      display_name: row.display_name,
      phone: row.phone,
      card: row.card,
      email: row.email,
      success_visits_count: visits,
      fail_visits_count: visits > 10 ? 1 : 0,
      discount: row.discount,
    };
  }

  build(i: number, key: RecordKey): Json {
    const layout = this.layout;
    const s = layout.s;
    const tz = layout.options.tz;
    const { services, length } = this.services(i, key.staffId);
    const attendance = layout.attendanceAt(i, key.sort);
    const visit = layout.base.visit + 2 * i;
    const visitId: number | string = s.visitString.int(i, 50) === 0 ? String(visit) : visit;
    const recordLabels = layout.catalog.labels.filter((l) => l.entity === 2);
    const labelRoll = s.label.int(i, 100);
    const online = key.createdUser === 0;
    return {
      id: key.id,
      company_id: layout.options.id,
      staff_id: key.staffId,
      services,
      goods_transactions: [],
      staff: this.staffEmbed(key.staffId),
      client: this.clientEmbed(key.clientId),
      clients_count: 1,
      date: naive(key.sort, tz),
      datetime: isoColon(key.sort, tz),
      create_date: isoCompact(key.created, tz),
      comment: labelRoll >= 90 ? pick(this.pools.comments, labelRoll) : '',
      online,
      visit_attendance: attendance,
      attendance,
      confirmed: attendance === 2 || attendance === 1 ? 1 : 0,
      seance_length: length,
      length,
      sms_before: 0,
      sms_now: 0,
      sms_now_text: '',
      email_now: 0,
      notified: 0,
      sms_remain_hours: 0,
      email_remain_hours: 0,
      master_request: s.online.int(i + 1, 2),
      api_id: '',
      from_url: '',
      review_requested: 0,
      visit_id: visitId,
      created_user_id: key.createdUser,
      deleted: key.deleted,
      paid_full: attendance === 1 && !key.deleted ? 1 : 0,
      payment_status: attendance === 1 && !key.deleted ? 1 : 0,
      prepaid: false,
      prepaid_confirmed: false,
      last_change_date: isoCompact(key.changed, tz),
      custom_color: '',
      custom_font_color: '',
      record_labels:
        labelRoll < 10 && recordLabels.length > 0
          ? [recordLabels[labelRoll % recordLabels.length]!].map((l) => ({
              id: String(l.id),
              title: l.title,
              color: l.color,
              icon: '',
              font_color: '#ffffff',
            }))
          : [],
      activity_id: 0,
      custom_fields: {},
      documents: [
        {
          id: layout.base.document + 4 * i,
          type_id: 7,
          type_title: 'Визит',
          storage_id: 0,
          user_id: USER_ID,
          company_id: layout.options.id,
          number: 1000 + i,
          comment: '',
          date_created: naive(key.sort, tz),
          category_id: 0,
          visit_id: visit,
          record_id: key.id,
        },
      ],
    };
  }
}
