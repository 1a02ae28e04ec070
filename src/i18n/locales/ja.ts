import type { Messages } from '../messages.js';

export default {
  crashTitle: 'まもなく復旧します',
  crashReason: 'サイトは再起動中か、一時的に利用できません。',
  maintenanceTitle: '計画メンテナンス中',
  maintenanceReason: 'ただいまサイトを改善しています。',
  backTitle: 'サイトが復旧しました',
  bodyReturn: '{reason}このページを開いたままにしてください。自動で確認し、サイトが応答しだい元のページに戻ります。',
  bodyForm: '{reason}このページを開いたままにしてください。自動で確認し、サイトが応答しだいお知らせします。',
  maintenanceUntil: '計画メンテナンス · {time}ごろ再開予定（あと約{duration}）',
  maintenanceOverdue: '計画メンテナンス · {time}に再開予定でした。まもなく完了します',
  unsentNotice: 'フォームは送信されていません。サイトには届いていません。サイトが復旧したら、もう一度送信できます。',
  maybeSentNotice:
    'フォームは、サイトが応答しなくなる前に届いている可能性があります。もう一度送信する前に、処理されたかどうかを確かめてください。',
  unsentNoticeBack: 'フォームは送信されていません。もう一度送信できます。',
  maybeSentNoticeBack:
    'フォームは届いている可能性があります。もう一度送信する前に、処理されたかどうかを確かめてください。',
  noScript: 'しばらくしてから、このページを再読み込みしてください。',
  statusWaiting: '{seconds}後に再確認 · {attempt}回目',
  statusBusy: 'サイトは復旧し、順番にご案内しています · {seconds}後に再試行します',
  statusChecking: '確認中 · {attempt}回目',
  statusPaused: 'このタブがバックグラウンドの間は一時停止しています',
  statusGaveUp: '{attempt}回目で確認を終了しました',
  statusStopped: '自動確認は停止中です',
  statusBack: '移動しています…',
  tryNow: '今すぐ確認',
  tryAgain: '再試行',
  stop: '確認を停止',
  resume: '確認を再開',
  backToForm: 'フォームに戻る',
  reloadPage: 'このページを再読み込み',
  announceGaveUp: '自動確認を終了しました。「再試行」で確認できます。',
  announceStopped: '自動確認を停止しました。',
  announceBack: 'サイトが復旧しました。移動します。',
  announceBackUnsent:
    'サイトが復旧しました。フォームは送信されていません。フォームに戻るか、このページを再読み込みしてください。',
  announceBackMaybeSent:
    'サイトが復旧しました。フォームは届いている可能性があります。もう一度送信する前に確かめてください。',
} satisfies Messages;
