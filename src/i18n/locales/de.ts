import type { Messages } from '../messages.js';

export default {
  crashTitle: 'Wir sind gleich wieder da',
  crashReason: 'Die Website startet gerade neu oder ist kurz nicht erreichbar.',
  maintenanceTitle: 'Geplante Wartung',
  maintenanceReason: 'Wir verbessern gerade unsere Website.',
  backTitle: 'Die Website ist wieder da',
  bodyReturn:
    '{reason} Lassen Sie diese Seite offen: Sie prüft selbst und bringt Sie zurück, sobald die Website wieder antwortet.',
  bodyForm:
    '{reason} Lassen Sie diese Seite offen: Sie prüft selbst und sagt Ihnen Bescheid, sobald die Website wieder antwortet.',
  maintenanceUntil: 'Geplante Wartung · zurück gegen {time}, in etwa {duration}',
  maintenanceOverdue: 'Geplante Wartung · eigentlich bis {time}: gleich geschafft',
  unsentNotice:
    'Ihr Formular wurde nicht gesendet: Die Website hat es nicht erhalten. Sobald sie wieder da ist, können Sie es erneut senden.',
  maybeSentNotice:
    'Ihr Formular hat die Website möglicherweise erreicht, bevor sie nicht mehr antwortete: Prüfen Sie, ob es angekommen ist, bevor Sie es erneut senden.',
  unsentNoticeBack: 'Ihr Formular wurde nicht gesendet: Sie können es erneut senden.',
  maybeSentNoticeBack:
    'Ihr Formular wurde möglicherweise empfangen: Prüfen Sie, ob es angekommen ist, bevor Sie es erneut senden.',
  noScript: 'Laden Sie diese Seite in Kürze neu, um es erneut zu versuchen.',
  statusWaiting: 'Nächste Prüfung in {seconds} · Versuch {attempt}',
  statusBusy: 'Die Website ist wieder da und lässt Besucher nach und nach herein · neuer Versuch in {seconds}',
  statusChecking: 'Prüfe gerade · Versuch {attempt}',
  statusPaused: 'Pausiert, solange dieser Tab im Hintergrund ist',
  statusGaveUp: 'Prüfung nach Versuch {attempt} beendet',
  statusStopped: 'Automatische Prüfung angehalten',
  statusBack: 'Sie werden weitergeleitet…',
  tryNow: 'Jetzt prüfen',
  tryAgain: 'Erneut versuchen',
  stop: 'Prüfung anhalten',
  resume: 'Prüfung fortsetzen',
  backToForm: 'Zurück zum Formular',
  reloadPage: 'Seite neu laden',
  announceGaveUp: 'Automatische Prüfung beendet. Mit „Erneut versuchen“ prüfen Sie selbst.',
  announceStopped: 'Automatische Prüfung angehalten.',
  announceBack: 'Die Website ist wieder da. Sie werden weitergeleitet.',
  announceBackUnsent:
    'Die Website ist wieder da. Ihr Formular wurde nicht gesendet: Gehen Sie zurück zum Formular oder laden Sie die Seite neu.',
  announceBackMaybeSent:
    'Die Website ist wieder da. Ihr Formular wurde möglicherweise empfangen: Prüfen Sie das, bevor Sie es erneut senden.',
} satisfies Messages;
