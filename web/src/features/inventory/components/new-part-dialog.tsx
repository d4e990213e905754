import { Alert, Button, Checkbox, Group, Modal, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import { errorMessage, fieldErrors } from '@/lib/api/client';
import { t } from '@/i18n';
import { useCreatePart } from '../api/inventory';

/** Units a maintenance store counts in, with how many decimals each is counted to. */
const UNITS: { value: string; decimals: number }[] = [
  { value: 'each', decimals: 0 },
  { value: 'pair', decimals: 0 },
  { value: 'set', decimals: 0 },
  { value: 'kit', decimals: 0 },
  { value: 'pack', decimals: 0 },
  { value: 'roll', decimals: 0 },
  { value: 'box', decimals: 0 },
  { value: 'm', decimals: 1 },
  { value: 'kg', decimals: 2 },
  { value: 'l', decimals: 2 },
];

/** Adds a part to the catalogue. Its unit is fixed once stock has moved, so it is chosen here. */
export function NewPartDialog({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (id: string) => void }) {
  const create = useCreatePart();
  const [partNumber, setPartNumber] = useState('');
  const [name, setName] = useState('');
  const [category, setCategory] = useState('');
  const [unit, setUnit] = useState<string | null>('each');
  const [manufacturer, setManufacturer] = useState('');
  const [mpn, setMpn] = useState('');
  const [description, setDescription] = useState('');
  const [critical, setCritical] = useState(false);
  const errors = fieldErrors(create.error);

  const submit = () =>
    create.mutate(
      {
        partNumber: partNumber.trim(),
        name: name.trim(),
        category: category.trim() || null,
        unit: unit ?? 'each',
        decimals: UNITS.find((u) => u.value === unit)?.decimals ?? 0,
        manufacturer: manufacturer.trim() || null,
        manufacturerPartNumber: mpn.trim() || null,
        description: description.trim() || null,
        critical,
      },
      {
        onSuccess: (p) => {
          onClose();
          onCreated(p.id);
        },
      },
    );

  return (
    <Modal opened={opened} onClose={onClose} title={t('parts.new')}>
      <Stack>
        {create.error && !Object.keys(errors).length && (
          <Alert color="red" role="alert">
            {errorMessage(create.error)}
          </Alert>
        )}
        <TextInput
          label={t('parts.number')}
          value={partNumber}
          onChange={(e) => setPartNumber(e.currentTarget.value)}
          required
          maxLength={64}
          error={errors.partNumber}
        />
        <TextInput label={t('parts.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={160} error={errors.name} />
        <Group grow>
          <TextInput label={t('parts.category')} value={category} onChange={(e) => setCategory(e.currentTarget.value)} maxLength={80} error={errors.category} />
          <Select
            label={t('parts.unit')}
            description={t('parts.unitHint')}
            data={UNITS.map((u) => u.value)}
            value={unit}
            onChange={setUnit}
            allowDeselect={false}
            error={errors.unit ?? errors.decimals}
          />
        </Group>
        <Group grow>
          <TextInput
            label={t('parts.manufacturer')}
            value={manufacturer}
            onChange={(e) => setManufacturer(e.currentTarget.value)}
            maxLength={120}
            error={errors.manufacturer}
          />
          <TextInput label={t('parts.mpn')} value={mpn} onChange={(e) => setMpn(e.currentTarget.value)} maxLength={64} error={errors.manufacturerPartNumber} />
        </Group>
        <Textarea
          label={t('parts.description')}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          autosize
          minRows={2}
          error={errors.description}
        />
        <Checkbox
          label={t('parts.criticalLabel')}
          description={t('parts.criticalHint')}
          checked={critical}
          onChange={(e) => setCritical(e.currentTarget.checked)}
        />
        <Button onClick={submit} loading={create.isPending} disabled={!partNumber.trim() || !name.trim()}>
          {t('action.save')}
        </Button>
      </Stack>
    </Modal>
  );
}
