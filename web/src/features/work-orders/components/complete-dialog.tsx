import { Alert, Button, Modal, NumberInput, Select, Stack, Textarea } from '@mantine/core';
import { useState } from 'react';
import { t, type MessageKey } from '@/i18n';
import type { Schemas } from '@/lib/api/client';
import { SignaturePad } from './signature-pad';

const CATEGORIES = ['repaired', 'replaced_part', 'adjusted', 'no_fault_found', 'referred_to_vendor', 'beyond_repair'] as const;

/** The completion report: what was found and done, downtime, and a signature when required. */
export function CompleteDialog({
  opened,
  onClose,
  signatureRequired,
  checklistMissing = 0,
  onComplete,
}: {
  opened: boolean;
  onClose: () => void;
  signatureRequired: boolean;
  checklistMissing?: number;
  onComplete: (report: Schemas['CompleteWorkOrder'], signature: Blob | null) => Promise<void>;
}) {
  const [category, setCategory] = useState<string | null>('repaired');
  const [problem, setProblem] = useState('');
  const [cause, setCause] = useState('');
  const [remedy, setRemedy] = useState('');
  const [downtime, setDowntime] = useState<number | string>('');
  const [signature, setSignature] = useState<Blob | null>(null);
  const [busy, setBusy] = useState(false);
  const missingSignature = signatureRequired && !signature;

  const submit = async () => {
    if (!category || missingSignature) return;
    setBusy(true);
    try {
      await onComplete(
        {
          resolutionCategory: category,
          failureProblem: problem.trim() || null,
          failureCause: cause.trim() || null,
          failureRemedy: remedy.trim() || null,
          downtimeMinutes: typeof downtime === 'number' ? downtime : null,
        },
        signature,
      );
      onClose();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={t('complete.title')} size="lg">
      <Stack>
        <Select
          label={t('complete.category')}
          data={CATEGORIES.map((c) => ({ value: c, label: t(`resolution.${c}` as MessageKey) }))}
          value={category}
          onChange={setCategory}
          allowDeselect={false}
          required
        />
        <Textarea label={t('complete.problem')} value={problem} onChange={(e) => setProblem(e.currentTarget.value)} autosize minRows={2} />
        <Textarea label={t('complete.cause')} value={cause} onChange={(e) => setCause(e.currentTarget.value)} autosize minRows={2} />
        <Textarea label={t('complete.remedy')} value={remedy} onChange={(e) => setRemedy(e.currentTarget.value)} autosize minRows={2} />
        <NumberInput label={t('complete.downtime')} value={downtime} onChange={setDowntime} min={0} allowDecimal={false} />
        {signatureRequired && <SignaturePad onChange={setSignature} />}
        {checklistMissing > 0 && (
          <Alert color="orange" role="status">
            {t('checklist.incomplete', { n: checklistMissing })}
          </Alert>
        )}
        {missingSignature && (
          <Alert color="orange" role="status">
            {t('complete.signatureRequired')}
          </Alert>
        )}
        <Button size="lg" onClick={() => void submit()} loading={busy} disabled={!category || missingSignature || checklistMissing > 0}>
          {t('complete.submit')}
        </Button>
      </Stack>
    </Modal>
  );
}
