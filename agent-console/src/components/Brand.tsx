/** 窓口 madoguchi, the same in both languages. */
export function Brand({ as: Tag = 'span' }: { as?: 'span' | 'h1' }) {
  return (
    <Tag className="brand">
      <span className="brand-mark" aria-hidden="true" />
      <span lang="ja" className="brand-ja">
        窓口
      </span>{' '}
      <span lang="en" className="brand-en">
        madoguchi
      </span>
    </Tag>
  );
}
